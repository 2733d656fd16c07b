#!/usr/bin/env bash
# Collect, with the AWS CLI alone, the files `iamwarden snapshot import DIR -o snapshot.json.gz` reads.
#
#   docs/collect-with-aws-cli.sh [-o DIR] [-s] [REGION ...]
#
#   -o DIR  where to write the files (default: iamwarden-cli-outputs)
#   -s      also when each user, role and group last used each service (one IAM job per principal: slow)
#
# Every call is read-only (List*, Get*, Describe*, plus iam:GenerateCredentialReport and, with -s,
# iam:GenerateServiceLastAccessedDetails, which only ask IAM to compute a report); docs/permissions.md lists the IAM
# actions needed. Regions default to those enabled for the account.
# Works with AWS CLI v1 and v2 and needs nothing else (no jq, no Python); credentials come from the usual places
# (AWS_PROFILE, environment, SSO ...).
#
# Each call writes DIR/<service>-<command>[.<region>][.<name>].json (docs/snapshot-format.md, "Offline import").
# When AWS refuses a call, its file holds the AWS CLI's error text instead ("An error occurred (AccessDenied) ..."):
# the import turns it into a gap with AWS's error code, or into "there is none" (NoSuchEntity for the password policy
# or a login profile). When a call fails without an AWS error (network, credentials), no file is written and the
# import records the call as NotCollected.
set -uo pipefail

out="iamwarden-cli-outputs"
service_last_accessed=0
usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }
while getopts "o:sh" opt; do
    case "$opt" in
        o) out="$OPTARG" ;;
        s) service_last_accessed=1 ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 64 ;;
    esac
done
shift $((OPTIND - 1))

command -v aws >/dev/null || { echo "error: the AWS CLI (aws) is not on PATH" >&2; exit 1; }
export AWS_PAGER=""
home_region="${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}"
mkdir -p "$out"
err="$(mktemp)"
trap 'rm -f "$err"' EXIT
failures=0
none=0

# A target as written in a file name: "/" (in ARNs) becomes %2F, "%" becomes %25.
encode() {
    local s="${1//%/%25}"
    printf '%s' "${s//\//%2F}"
}

# call FILE ARGS...: one AWS CLI call, its JSON output (or AWS's error text) into DIR/FILE.
call() {
    local file="$out/$1"
    shift
    if aws "$@" --output json >"$file" 2>"$err"; then
        return 0
    fi
    if grep -q '^An error occurred (' "$err"; then
        grep -m 1 -A 1000 '^An error occurred (' "$err" >"$file"
        # "there is none" (no password policy, no login profile, no organization) is an answer, not a failure
        if grep -q -E '^An error occurred \((NoSuchEntity|AWSOrganizationsNotInUseException)\)' "$file"; then
            none=$((none + 1))
            return 1
        fi
        echo "  $(basename "$file"): $(head -c 160 "$file")" >&2
    else
        rm -f "$file"
        echo "  $(basename "$file"): not written: $(tr '\n' ' ' <"$err" | head -c 300)" >&2
    fi
    failures=$((failures + 1))
    return 1
}

# words ARGS...: the words an AWS CLI --query prints as text (names, ids and ARNs never hold spaces).
words() {
    aws "$@" --output text 2>/dev/null | tr '\t' '\n' | grep -v '^None$' | grep -v '^$'
}

if [ "$#" -gt 0 ]; then
    regions=("$@")
else
    mapfile -t regions < <(words ec2 describe-regions --region "$home_region" --query 'Regions[].RegionName')
    [ "${#regions[@]}" -gt 0 ] || { echo "error: cannot list the regions; give them as arguments" >&2; exit 1; }
fi
g=(--region "$home_region")

echo "account-wide calls -> $out/" >&2
call sts-get-caller-identity.json sts get-caller-identity "${g[@]}"
account="$(aws sts get-caller-identity "${g[@]}" --query Account --output text 2>/dev/null)"
call iam-get-account-authorization-details.json iam get-account-authorization-details "${g[@]}"
for _ in 1 2 3 4 5 6 7 8 9 10; do
    state="$(aws iam generate-credential-report "${g[@]}" --query State --output text 2>/dev/null)"
    [ "$state" = "COMPLETE" ] && break
    sleep 3
done
call iam-get-credential-report.json iam get-credential-report "${g[@]}"
call iam-get-account-password-policy.json iam get-account-password-policy "${g[@]}"
call iam-get-account-summary.json iam get-account-summary "${g[@]}"
call iam-list-account-aliases.json iam list-account-aliases "${g[@]}"
call iam-list-virtual-mfa-devices.json iam list-virtual-mfa-devices "${g[@]}"
call iam-list-server-certificates.json iam list-server-certificates "${g[@]}"
call iam-list-saml-providers.json iam list-saml-providers "${g[@]}"
call iam-list-organizations-features.json iam list-organizations-features "${g[@]}"
call ec2-describe-regions.json ec2 describe-regions "${g[@]}"

echo "per user and per access key" >&2
while read -r user; do
    call "iam-list-access-keys.$(encode "$user").json" iam list-access-keys --user-name "$user" "${g[@]}"
    call "iam-list-mfa-devices.$(encode "$user").json" iam list-mfa-devices --user-name "$user" "${g[@]}"
    call "iam-get-login-profile.$(encode "$user").json" iam get-login-profile --user-name "$user" "${g[@]}"
    while read -r key; do
        call "iam-get-access-key-last-used.$key.json" iam get-access-key-last-used --access-key-id "$key" "${g[@]}"
    done < <(words iam list-access-keys --user-name "$user" "${g[@]}" --query 'AccessKeyMetadata[].AccessKeyId')
done < <(words iam get-account-authorization-details --filter User "${g[@]}" --query 'UserDetailList[].UserName')

call iam-list-open-id-connect-providers.json iam list-open-id-connect-providers "${g[@]}"
while read -r arn; do
    call "iam-get-open-id-connect-provider.$(encode "$arn").json" \
        iam get-open-id-connect-provider --open-id-connect-provider-arn "$arn" "${g[@]}"
done < <(words iam list-open-id-connect-providers "${g[@]}" --query 'OpenIDConnectProviderList[].Arn')

if [ "$service_last_accessed" = 1 ]; then
    echo "service last accessed, per principal" >&2
    while read -r arn; do
        job="$(aws iam generate-service-last-accessed-details --arn "$arn" "${g[@]}" --query JobId --output text 2>"$err")"
        file="$out/iam-get-service-last-accessed-details.$(encode "$arn").json"
        if [ -z "$job" ]; then  # AWS's error is the file's content, as for any other call
            if grep -q '^An error occurred (' "$err"; then grep -m 1 -A 1000 '^An error occurred (' "$err" >"$file"; fi
            echo "  $arn: not started: $(head -c 200 "$err")" >&2
            continue
        fi
        for _ in $(seq 1 60); do
            status="$(aws iam get-service-last-accessed-details --job-id "$job" "${g[@]}" \
                --query JobStatus --output text 2>/dev/null)"
            [ "$status" = "IN_PROGRESS" ] || break
            sleep 2
        done
        call "$(basename "$file")" iam get-service-last-accessed-details --job-id "$job" "${g[@]}"
    done < <(words iam get-account-authorization-details --filter User Role Group "${g[@]}" \
        --query '[UserDetailList[].Arn, RoleDetailList[].Arn, GroupDetailList[].Arn][]')
fi

echo "organization" >&2
if call organizations-describe-organization.json organizations describe-organization "${g[@]}"; then
    call organizations-list-roots.json organizations list-roots "${g[@]}"
    child="$account"
    while [ -n "$child" ]; do  # the account, then each OU up to the root
        call "organizations-list-parents.$child.json" organizations list-parents --child-id "$child" "${g[@]}" || break
        read -r parent type < <(aws organizations list-parents --child-id "$child" "${g[@]}" \
            --query 'Parents[0].[Id,Type]' --output text 2>/dev/null)
        if [ "${type:-}" = "ORGANIZATIONAL_UNIT" ]; then child="$parent"; else child=""; fi
    done
    for type in SERVICE_CONTROL_POLICY RESOURCE_CONTROL_POLICY; do
        call "organizations-list-policies.$type.json" organizations list-policies --filter "$type" "${g[@]}" || continue
        while read -r id; do
            call "organizations-describe-policy.$id.json" organizations describe-policy --policy-id "$id" "${g[@]}"
            call "organizations-list-targets-for-policy.$id.json" \
                organizations list-targets-for-policy --policy-id "$id" "${g[@]}"
        done < <(words organizations list-policies --filter "$type" "${g[@]}" --query 'Policies[].Id')
    done
fi

for region in "${regions[@]}"; do
    echo "region $region" >&2
    r=(--region "$region")
    call "cloudtrail-describe-trails.$region.json" cloudtrail describe-trails "${r[@]}"
    while read -r name arn; do
        call "cloudtrail-get-trail-status.$region.$(encode "$name").json" \
            cloudtrail get-trail-status --name "$arn" "${r[@]}"
        call "cloudtrail-get-event-selectors.$region.$(encode "$name").json" \
            cloudtrail get-event-selectors --trail-name "$arn" "${r[@]}"
    done < <(aws cloudtrail describe-trails "${r[@]}" --query 'trailList[].[Name,TrailARN]' --output text 2>/dev/null)
    call "accessanalyzer-list-analyzers.$region.json" accessanalyzer list-analyzers "${r[@]}"
    call "configservice-describe-configuration-recorders.$region.json" \
        configservice describe-configuration-recorders "${r[@]}"
    call "configservice-describe-configuration-recorder-status.$region.json" \
        configservice describe-configuration-recorder-status "${r[@]}"
    call "ec2-describe-instances.$region.json" ec2 describe-instances "${r[@]}"
    while read -r instance; do
        call "ec2-describe-instance-attribute.$region.$instance.json" \
            ec2 describe-instance-attribute --instance-id "$instance" --attribute userData "${r[@]}"
    done < <(words ec2 describe-instances "${r[@]}" --query 'Reservations[].Instances[].InstanceId')
    call "lambda-list-functions.$region.json" lambda list-functions "${r[@]}"
done

plural() { if [ "$1" -eq 1 ]; then printf '%s %s' "$1" "$2"; else printf '%s %ss' "$1" "$2"; fi; }
echo "done: $(plural "$(find "$out" -maxdepth 1 -name '*.json' | wc -l)" file) in $out/;" \
    "$(plural "$failures" "failed call"), $(plural "$none" answer) of \"there is none\"" >&2
echo "next: iamwarden snapshot import $out -o snapshot.json.gz" >&2
