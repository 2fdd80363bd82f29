from __future__ import annotations

from django.urls import path

from partnerships import views

app_name = "partnerships"
urlpatterns = [
    path("", views.PartnershipListView.as_view(), name="list"),
    path("new/", views.PartnershipCreateView.as_view(), name="create"),
    path("<int:pk>/", views.PartnershipDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.PartnershipUpdateView.as_view(), name="update"),
    path("<int:pk>/transition/", views.PartnershipTransitionView.as_view(), name="transition"),
    path("<int:pk>/move/<slug:to_status>/", views.PartnershipMoveView.as_view(), name="move"),
    path("<int:partnership_pk>/comments/", views.CommentThreadView.as_view(), name="comments"),
    path(
        "<int:partnership_pk>/comments/<int:pk>/delete/",
        views.CommentDeleteView.as_view(),
        name="comment-delete",
    ),
    path("clients/", views.ClientListView.as_view(), name="client-list"),
    path("clients/new/", views.ClientCreateView.as_view(), name="client-create"),
    path("clients/<int:pk>/edit/", views.ClientUpdateView.as_view(), name="client-update"),
]
