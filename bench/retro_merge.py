"""Issue 12, item 6: how MiniLM similarity separates retro entries that make the same point.

    .venv/bin/python -m bench.retro_merge

The pairs below were written for this purpose (nothing from bot/sample_data or the tests).
TUNE_* chose drafting.retro_offline.SAME_POINT; CHECK_* were written afterwards and only read.
For each threshold it prints how many same-point pairs merge and how many different-point
pairs (same area, another point) would wrongly merge.
"""

from __future__ import annotations

from drafting.retro_offline import SAME_POINT, SAME_POINT_ACROSS_SECTIONS
from drafting.vectors import CachedEmbedder
from knowledge.minilm import MiniLMEmbeddings

Pair = tuple[str, str]

TUNE_SAME: list[Pair] = [
    ("CPU alerting was completely absent", "No CPU alerts existed"),
    ("The staging database ran out of disk twice", "Staging DB filled its disk two times"),
    (
        "Deploys took forever because CI was slow",
        "Our CI pipeline made every deploy painfully slow",
    ),
    ("Nobody owned the flaky checkout test", "The flaky checkout test had no owner"),
    ("Customer demo went really well", "The demo for the customer was a success"),
    ("Too many meetings this sprint", "We spent way too much time in meetings"),
    (
        "Pairing sessions helped new joiners ramp up",
        "New hires got up to speed faster thanks to pairing",
    ),
    ("The release notes were late again", "Release notes came out late once more"),
    ("Design handoff was unclear", "Handoffs from design lacked clarity"),
    (
        "On-call got paged 30 times for a noisy disk alert",
        "A noisy disk alert woke on-call 30 times",
    ),
    ("We had no runbook for the payment outage", "There was no runbook when payments went down"),
    ("Great collaboration with the data team", "Working with the data team was excellent"),
    ("Requirements changed mid-sprint", "Scope kept shifting during the sprint"),
    ("Code reviews waited two days for approval", "PRs sat two days before anyone approved them"),
    ("Test coverage on the billing service is too low", "Billing service has poor test coverage"),
    ("Migrating to the new queue went smoothly", "The queue migration was smooth"),
    ("Monitoring dashboards were missing for the search API", "The search API had no dashboards"),
    ("Estimates were way off", "Our estimates were badly wrong"),
    ("The hotfix process is too manual", "Shipping a hotfix needs too many manual steps"),
    ("Rollback took 45 minutes", "It took us 45 minutes to roll back"),
    ("Backups had never been restored in a test", "We never tested restoring from backup"),
    (
        "Support escalations reached engineering too late",
        "Engineering heard about support escalations too late",
    ),
    ("The new intern shipped her first feature", "Our intern delivered her first feature"),
    ("Staging and production configs drifted apart", "Config drift between staging and prod"),
    ("The vendor API rate limits surprised us", "We were caught out by the vendor's rate limits"),
    ("Alert thresholds were set far too low", "Our alert thresholds were much too sensitive"),
    ("Documentation for onboarding is outdated", "Onboarding docs are out of date"),
    (
        "Load test before launch caught the memory leak",
        "The pre-launch load test found the memory leak",
    ),
    ("We should automate the certificate renewal", "Automate renewing the TLS certificates"),
    (
        "Nobody knew who was on call during the holiday",
        "On-call ownership over the holiday was unclear",
    ),
    ("Checkout errors hit 12% on Monday", "12% of checkouts failed on Monday"),
    (
        "The deploy queue held 40 PRs at one point",
        "At peak 40 pull requests were waiting to deploy",
    ),
    (
        "Support got 300 tickets about the login change",
        "The login change caused 300 support tickets",
    ),
    ("We lost 6 hours to the broken VPN", "The VPN outage cost us 6 hours"),
    ("Only 2 of 9 stories were finished", "We finished just 2 stories out of 9"),
    ("The nightly job failed 5 nights in a row", "5 nightly runs failed back to back"),
]

TUNE_DIFFERENT: list[Pair] = [
    ("CPU alerting was completely absent", "CPU usage peaked at 95% during the sale"),
    ("No CPU alerts existed", "Memory alerts fired too often"),
    (
        "The staging database ran out of disk twice",
        "The staging database was upgraded to version 16",
    ),
    ("Deploys took forever because CI was slow", "Deploys happened on Fridays against the policy"),
    ("Nobody owned the flaky checkout test", "The checkout page conversion dropped 3%"),
    ("Customer demo went really well", "Customer asked for a second demo next month"),
    ("Too many meetings this sprint", "The planning meeting produced a clear backlog"),
    ("Pairing sessions helped new joiners ramp up", "New joiners lacked laptops on day one"),
    ("The release notes were late again", "The release included twelve bug fixes"),
    (
        "On-call got paged 30 times for a noisy disk alert",
        "On-call compensation was finally agreed",
    ),
    ("We had no runbook for the payment outage", "The payment outage lasted three hours"),
    ("Great collaboration with the data team", "The data team is short of two engineers"),
    ("Code reviews waited two days for approval", "Code reviews caught a security bug"),
    (
        "Test coverage on the billing service is too low",
        "The billing service moved to a new region",
    ),
    ("Migrating to the new queue went smoothly", "The old queue still holds 2 million messages"),
    ("Estimates were way off", "Estimation poker was fun"),
    ("Rollback took 45 minutes", "The rollback was triggered by a bad migration"),
    ("Backups had never been restored in a test", "Backups run every night at 2am"),
    (
        "Staging and production configs drifted apart",
        "Production has three times more traffic than staging",
    ),
    ("Alert thresholds were set far too low", "Alerts go to the wrong Slack channel"),
    ("Documentation for onboarding is outdated", "Onboarding took new hires two weeks"),
    ("Load test before launch caught the memory leak", "The launch slipped by one week"),
    ("We should automate the certificate renewal", "We should rotate the database passwords"),
    ("Nobody knew who was on call during the holiday", "The holiday traffic was 40% lower"),
    ("The hotfix process is too manual", "The hotfix fixed the login bug"),
    (
        "Support escalations reached engineering too late",
        "Support answered 900 tickets this sprint",
    ),
    ("Requirements changed mid-sprint", "Requirements were written by the product manager"),
    (
        "Monitoring dashboards were missing for the search API",
        "The search API latency improved by 20%",
    ),
    ("The vendor API rate limits surprised us", "The vendor contract renews in March"),
    ("Design handoff was unclear", "The design team hired a new lead"),
    ("We closed 12 tickets on Monday", "12 engineers joined the incident call"),
    ("The migration took 3 hours", "3 services still use the old auth"),
    ("Support got 300 tickets about the login change", "We have 300 customers on the old plan"),
    ("We lost 6 hours to the broken VPN", "The VPN vendor gave us 6 months free"),
    ("The nightly job failed 5 nights in a row", "The nightly job now finishes in 5 minutes"),
    ("Checkout errors hit 12% on Monday", "Checkout conversion rose 12% after the redesign"),
]

CHECK_SAME: list[Pair] = [
    ("CPU alerting was completely absent", "No CPU alerts existed"),
    (
        "The on-call handbook is missing steps for failover",
        "Failover steps are missing from the on-call handbook",
    ),
    ("Sprint goal was achieved early", "We hit the sprint goal ahead of time"),
    ("Builds broke three times on main", "Main was red three times"),
    (
        "Product and engineering were aligned on priorities",
        "Engineering and product agreed on what mattered most",
    ),
    (
        "The release checklist saved us from a bad config",
        "Thanks to the release checklist a bad config never shipped",
    ),
    ("Nobody reviewed the database migration", "The DB migration went out without a review"),
    ("QA environment was down for most of Tuesday", "Our QA env was unavailable much of Tuesday"),
    (
        "Too much context switching between projects",
        "We kept switching between projects all the time",
    ),
    ("Logs from the worker were impossible to search", "Searching the worker logs was hopeless"),
]

CHECK_DIFFERENT: list[Pair] = [
    ("CPU alerting was completely absent", "Disk alerts were too noisy"),
    ("The on-call handbook is missing steps for failover", "The failover drill ran on schedule"),
    ("Sprint goal was achieved early", "Sprint goal was too vague"),
    ("Builds broke three times on main", "Builds are now twice as fast"),
    ("Nobody reviewed the database migration", "The database migration took six hours"),
    ("QA environment was down for most of Tuesday", "QA found 14 bugs before release"),
    ("Too much context switching between projects", "Two projects were cancelled this quarter"),
    ("Logs from the worker were impossible to search", "The worker processes 3,000 jobs an hour"),
    ("The release checklist saved us from a bad config", "The release checklist is too long"),
    ("Product and engineering were aligned on priorities", "Product shipped the pricing page"),
]


def main() -> None:
    embedder = CachedEmbedder(MiniLMEmbeddings())

    def cosines(pairs: list[Pair]) -> list[float]:
        return [float(v[0] @ v[1]) for v in (embedder.embed(list(p)) for p in pairs)]

    sets = {
        "tune": (cosines(TUNE_SAME), cosines(TUNE_DIFFERENT)),
        "check": (cosines(CHECK_SAME), cosines(CHECK_DIFFERENT)),
    }
    print(f"SAME_POINT={SAME_POINT}  SAME_POINT_ACROSS_SECTIONS={SAME_POINT_ACROSS_SECTIONS}")
    print("threshold  set    merged (same point)  wrongly merged (different point)")
    for threshold in (0.6, 0.65, 0.7, 0.72, SAME_POINT, 0.76, 0.8, SAME_POINT_ACROSS_SECTIONS):
        for name, (same, different) in sets.items():
            merged = sum(c >= threshold for c in same)
            wrong = sum(c >= threshold for c in different)
            print(
                f"{threshold:9.2f}  {name:5}  {merged:3}/{len(same):<3}"
                f"                {wrong:3}/{len(different)}"
            )


if __name__ == "__main__":
    main()
