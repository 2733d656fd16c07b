"""The IAM policy engine: parse policies, decide requests the way AWS does, and explain the decision.

Compile once, evaluate many::

    from iamwarden.policy import Request, evaluate, parse_policy

    policy = parse_policy({"Version": "2012-10-17", "Statement": [...]}, name="ReadOnly")
    decision = evaluate(Request("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::b/k"),
                        identity_policies=[policy])
    decision.decision        # "allowed" | "explicit_deny" | "implicit_deny"

A decision carries the problems it met in ``decision.errors`` (a policy that could not be compiled — see
:func:`compile_policy` — or a condition value its operator cannot read); :func:`policy_problems` lists a policy's
problems whatever the request.

Or decide a whole request document (the ``simulate --request-file`` format): :func:`evaluate_request_document`.
"""

from iamwarden.policy.conditions import OPERATORS, ConditionResult
from iamwarden.policy.decision import Decision, PolicyError, Reason
from iamwarden.policy.evaluation import Request, evaluate
from iamwarden.policy.language import Policy, Statement, compile_policy, parse_policy, policy_problems
from iamwarden.policy.simulation import evaluate_request_document, read_request_document

__all__ = [
    "OPERATORS",
    "ConditionResult",
    "Decision",
    "Policy",
    "PolicyError",
    "Reason",
    "Request",
    "Statement",
    "compile_policy",
    "evaluate",
    "evaluate_request_document",
    "parse_policy",
    "policy_problems",
    "read_request_document",
]
