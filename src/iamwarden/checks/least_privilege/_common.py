"""What the checks judging policies one by one share."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from iamwarden.analysis.context import AnalysisContext
from iamwarden.analysis.principals import ExaminedPolicy, compile_document, examined_policies
from iamwarden.checks.base import Outcome, account_arn, missing, not_applicable, unknown
from iamwarden.checks.facts import AUTH_DETAILS, inventory_missing
from iamwarden.policy import Policy

PolicyJudge = Callable[[ExaminedPolicy, Policy], Outcome]


def judge_each_policy(
    context: AnalysisContext, judge: PolicyJudge, *, include_aws_managed: bool = True
) -> Iterator[Outcome]:
    """``judge`` each policy examined on its own (customer-managed, attached AWS-managed unless
    ``include_aws_managed`` is false, inline), compiled.

    Settled without it: the whole account is ``unknown`` when the inventory was not collected; a policy used only as
    a permissions boundary is ``not_applicable`` (it grants nothing); one that does not compile is ``unknown`` with
    the reason. Every outcome carries the policy's resource type (managed or inline).
    """
    account = context.account
    if inventory_missing(account):
        yield missing(account, account_arn(account), AUTH_DETAILS)
        return
    for examined in examined_policies(account, include_aws_managed=include_aws_managed):
        if examined.boundary_only:
            out = not_applicable(examined.resource, "used only as a permissions boundary (grants nothing by itself)")
        else:
            compiled = compile_document(context, examined.document)
            out = unknown(examined.resource, compiled) if isinstance(compiled, str) else judge(examined, compiled)
        yield replace(out, resource_type=examined.resource_type)
