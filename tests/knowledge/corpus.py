"""A small planning corpus for retrieval tests: similar topics, a few rare exact terms."""

from __future__ import annotations

NOTES = {
    "Hiring plan": "We will hire two senior data engineers and one product designer this half.",
    "Onboarding review": "New customers take eleven days on average to finish onboarding.",
    "Pricing update": "The Team plan moves from 10 to 12 euros per seat in October.",
    "Churn analysis": "Churn in the mid-market segment rose after the pricing update.",
    "Roadmap Q3": "Q3 focuses on reporting dashboards and single sign-on for enterprise.",
    "Roadmap Q4": "Q4 focuses on the mobile app and offline mode for field teams.",
    "Support metrics": "First response time in support fell to under two hours.",
    "Security review": "The annual penetration test found no critical issues this year.",
    "Partner program": "Three consultancies joined the partner program to resell licences.",
    "Office move": "The Berlin office moves to a larger floor in May; the new meeting rooms are called Kestrel, Osprey and Heron.",
    "Budget": "Marketing budget for the second half is capped at 400k euros.",
    "Infrastructure": "Database costs grew faster than revenue; we plan to add read replicas.",
    "Sales pipeline": "Enterprise pipeline doubled, driven by inbound leads from webinars.",
    "Customer advisory board": "The advisory board asked for better audit logs and exports.",
    "Team health": "Engineering survey shows meetings take too much focus time.",
    "Procurement": "Supplier reference QX-7731 covers the replacement fan assemblies for the lab.",
    "Release process": "Releases ship every Tuesday after the staging sign-off.",
    "Documentation": "The help centre needs articles on SSO setup and data exports.",
    "Hackathon": "The spring hackathon produced a prototype of natural language search.",
    "Quarterly goals": "Our main objective is to grow net revenue retention to 115%.",
}
