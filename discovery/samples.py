"""Realistic call-flow documents, for demo data and tests.

`AFTER_HOURS_TRIAGE_CURRENT` is how a university health service's after-hours line works
before the handover; `AFTER_HOURS_TRIAGE_FUTURE` is the provider's proposed flow (callback
queue instead of voicemail, direct warm transfer for clinician calls). Both are valid.
"""

from __future__ import annotations

import copy

AFTER_HOURS_TRIAGE_CURRENT: dict = {
    "nodes": [
        {"key": "entry", "kind": "entry", "label": "Caller dials the after-hours line"},
        {
            "key": "menu",
            "kind": "ivr_menu",
            "label": "Greeting: emergencies dial 911; 1 nurse, 2 clinicians, 3 refills",
        },
        {"key": "emergency_message", "kind": "emergency_escalation", "label": "Hang up, dial 911"},
        {"key": "nurse_queue", "kind": "queue", "label": "Nurse queue"},
        {"key": "overflow_voicemail", "kind": "voicemail", "label": "Overflow voicemail"},
        {"key": "nurse_callback", "kind": "callback", "label": "Nurse calls back"},
        {"key": "triage", "kind": "triage_protocol", "label": "Nurse triage (protocols)"},
        {"key": "ed_now", "kind": "emergency_escalation", "label": "911 / ED now: stay on line"},
        {"key": "md_transfer", "kind": "warm_transfer", "label": "Warm transfer to on-call MD"},
        {"key": "page_on_call", "kind": "oncall_page", "label": "Page the on-call physician"},
        {"key": "refill_voicemail", "kind": "voicemail", "label": "Refill request voicemail"},
        {"key": "end", "kind": "end", "label": "Call complete"},
    ],
    "edges": [
        {"source": "entry", "target": "menu", "condition": ""},
        {"source": "menu", "target": "emergency_message", "condition": "Caller says emergency"},
        {"source": "menu", "target": "nurse_queue", "condition": "Press 1"},
        {"source": "menu", "target": "page_on_call", "condition": "Press 2 (clinicians)"},
        {"source": "menu", "target": "refill_voicemail", "condition": "Press 3"},
        {"source": "emergency_message", "target": "end", "condition": ""},
        {"source": "nurse_queue", "target": "triage", "condition": "Answered"},
        {"source": "nurse_queue", "target": "overflow_voicemail", "condition": "Hold > 10 min"},
        {"source": "overflow_voicemail", "target": "nurse_callback", "condition": ""},
        {"source": "nurse_callback", "target": "triage", "condition": "Caller reached"},
        {"source": "nurse_callback", "target": "end", "condition": "3 attempts, no answer"},
        {"source": "triage", "target": "ed_now", "condition": "Emergent disposition"},
        {"source": "triage", "target": "md_transfer", "condition": "Physician needed now"},
        {"source": "triage", "target": "end", "condition": "Home care advice"},
        {"source": "ed_now", "target": "end", "condition": ""},
        {"source": "md_transfer", "target": "end", "condition": ""},
        {"source": "page_on_call", "target": "end", "condition": ""},
        {"source": "refill_voicemail", "target": "end", "condition": "Next business day"},
    ],
}


def _future() -> dict:
    document = copy.deepcopy(AFTER_HOURS_TRIAGE_CURRENT)
    nodes = {node["key"]: node for node in document["nodes"]}
    nodes["overflow_voicemail"] = {
        "key": "overflow_voicemail",
        "kind": "callback",
        "label": "Virtual hold: keep place in line, nurse calls back",
    }
    nodes["page_on_call"] = {
        "key": "page_on_call",
        "kind": "warm_transfer",
        "label": "Warm transfer clinicians to the on-call physician",
    }
    document["nodes"] = [nodes[node["key"]] for node in document["nodes"]]
    for edge in document["edges"]:
        if edge["source"] == "nurse_queue" and edge["target"] == "overflow_voicemail":
            edge["condition"] = "Hold > 2 min, caller opts in"
    return document


AFTER_HOURS_TRIAGE_FUTURE: dict = _future()
