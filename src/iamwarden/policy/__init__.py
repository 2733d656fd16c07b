"""The IAM policy engine: parse policies, decide requests the way AWS does, and explain the decision.

Compile once, evaluate many::

    from iamwarden.policy import Request, evaluate, parse_policy

    policy = parse_policy({"Version": "2012-10-17", "Statement": [...]}, name="ReadOnly")
    decision = evaluate(Request("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::b/k"),
                        identity_policies=[policy])
    decision.decision        # "allowed" | "explicit_deny" | "implicit_deny"

Or decide a whole request document (the ``simulate --request-file`` format): :func:`evaluate_request_document`.
"""

from iamwarden.policy.conditions import OPERATORS, ConditionResult
from iamwarden.policy.evaluation import Decision, Reason, Request, evaluate
from iamwarden.policy.language import Policy, Statement, parse_policy
from iamwarden.policy.simulation import evaluate_request_document, read_request_document

__all__ = [
    "OPERATORS",
    "ConditionResult",
    "Decision",
    "Policy",
    "Reason",
    "Request",
    "Statement",
    "evaluate",
    "evaluate_request_document",
    "parse_policy",
    "read_request_document",
]
