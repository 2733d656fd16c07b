"""A generated git repository with AWS credentials planted in every format ``iamwarden secrets scan`` supports, in
many encodings, added and later removed in the history, next to decoys that must not be reported as leaks.

Used by ``tests/collect/secrets/test_corpus.py`` (recall and decoys) and ``benchmarks/secrets.py`` (the same planted
formats inside a large generated history). Deterministic for a seed; git runs with fixed dates and identities.

Planted values are made for the account given (key ids carry its number, as AWS's do) and are random otherwise:
none of them is a real credential.
"""

from __future__ import annotations

import base64
import os
import random
import subprocess
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def make_key_id(account: str, rng: random.Random, prefix: str = "AKIA") -> str:
    """A key id of the current format carrying ``account``: bit 0 set, the account in bits 1-40, then random bits."""
    value = (1 << 79) | (int(account) << 39) | rng.getrandbits(39)
    return prefix + base64.b32encode(value.to_bytes(10, "big")).decode()


def make_secret(rng: random.Random) -> str:
    while True:
        value = "".join(rng.choice(B64) for _ in range(40))
        if any(c.isupper() for c in value) and any(c.islower() for c in value) and "EXAMPLE" not in value:
            return value


def make_token(rng: random.Random) -> str:
    return "IQoJb3JpZ2luX2VjE" + "".join(rng.choice(B64) for _ in range(360)) + "=="


@dataclass(frozen=True)
class Credential:
    key_id: str
    secret: str
    token: str | None = None


@dataclass(frozen=True)
class Format:
    """A file a credential can be written in: its name and how the text holds the key (``{id}``, ``{secret}``,
    ``{token}``)."""

    name: str
    path: str
    render: Callable[[Credential], str]
    temporary: bool = False


def _ipynb(c: Credential) -> str:
    return (
        '{\n "cells": [\n  {\n   "cell_type": "code",\n   "metadata": {},\n   "source": [\n'
        '    "import os\\n",\n'
        f'    "os.environ[\\"AWS_ACCESS_KEY_ID\\"] = \\"{c.key_id}\\"\\n",\n'
        f'    "os.environ[\\"AWS_SECRET_ACCESS_KEY\\"] = \\"{c.secret}\\"\\n"\n'
        '   ]\n  }\n ],\n "metadata": {},\n "nbformat": 4,\n "nbformat_minor": 5\n}\n'
    )


FORMATS: tuple[Format, ...] = (
    Format(
        "dotenv", ".env", lambda c: f"APP_ENV=prod\nAWS_ACCESS_KEY_ID={c.key_id}\nAWS_SECRET_ACCESS_KEY={c.secret}\n"
    ),
    Format(
        "aws-credentials-ini",
        "home/.aws/credentials",
        lambda c: (
            f"[default]\naws_access_key_id = {c.key_id}\naws_secret_access_key = {c.secret}\nregion = eu-west-1\n"
        ),
    ),
    Format(
        "sts-ini",
        "home/.aws/credentials-session",
        lambda c: (
            f"[session]\naws_access_key_id={c.key_id}\naws_secret_access_key={c.secret}\naws_session_token={c.token}\n"
        ),
        temporary=True,
    ),
    Format(
        "create-access-key-json",
        "ops/new-key.json",
        lambda c: (
            '{\n    "AccessKey": {\n        "UserName": "deploy",\n'
            f'        "AccessKeyId": "{c.key_id}",\n        "Status": "Active",\n'
            f'        "SecretAccessKey": "{c.secret}",\n        "CreateDate": "2024-01-01T00:00:00+00:00"\n    }}\n}}\n'
        ),
    ),
    Format(
        "yaml",
        "config/settings.yaml",
        lambda c: f"service: billing\naws:\n  access_key_id: {c.key_id}\n  secret_access_key: '{c.secret}'\n",
    ),
    Format(
        "terraform",
        "infra/provider.tf",
        lambda c: (
            f'provider "aws" {{\n  region     = "us-east-1"\n  access_key = "{c.key_id}"\n'
            f'  secret_key = "{c.secret}"\n}}\n'
        ),
    ),
    Format("notebook", "notebooks/explore.ipynb", _ipynb),
    Format(
        "shell-history",
        "home/.bash_history",
        lambda c: f"ls -la\nexport AWS_ACCESS_KEY_ID={c.key_id}\nexport AWS_SECRET_ACCESS_KEY={c.secret}\naws s3 ls\n",
    ),
    Format(
        "python-inline",
        "app/storage.py",
        lambda c: (
            "import boto3\n\n"
            f's3 = boto3.client("s3", aws_access_key_id="{c.key_id}", aws_secret_access_key="{c.secret}")\n'
        ),
    ),
    Format(
        "java-properties",
        "src/main/resources/aws.properties",
        lambda c: f"aws.accessKeyId={c.key_id}\naws.secretKey={c.secret}\n",
    ),
    Format(
        "console-csv",
        "downloads/credentials.csv",
        lambda c: (
            "User name,Password,Access key ID,Secret access key,Console login link\n"
            f"deploy,,{c.key_id},{c.secret},https://example.signin.aws.amazon.com/console\n"
        ),
    ),
    Format(
        "xml",
        "conf/aws.xml",
        lambda c: (
            f"<config>\n  <AccessKeyId>{c.key_id}</AccessKeyId>\n  <SecretAccessKey>{c.secret}</SecretAccessKey>\n"
            "</config>\n"
        ),
    ),
    Format(
        "docker-compose",
        "docker-compose.yml",
        lambda c: (
            "services:\n  app:\n    environment:\n"
            f"      - AWS_ACCESS_KEY_ID={c.key_id}\n      - AWS_SECRET_ACCESS_KEY={c.secret}\n"
        ),
    ),
)

ENCODINGS: tuple[tuple[str, Callable[[str], bytes]], ...] = (
    ("utf-8", lambda t: t.encode("utf-8")),
    ("utf-8-bom", lambda t: b"\xef\xbb\xbf" + ("# café ☕\n" + t).encode("utf-8")),
    ("utf-16-le-bom", lambda t: b"\xff\xfe" + ("# café\n" + t).encode("utf-16-le")),
    ("utf-16-be", lambda t: ("# note\n" + t).encode("utf-16-be")),
    ("utf-32-le-bom", lambda t: b"\xff\xfe\x00\x00" + t.encode("utf-32-le")),
    ("latin-1", lambda t: ("# données: été\n" + t).encode("latin-1")),
    ("shift-jis", lambda t: ("# 設定ファイル\n" + t).encode("shift_jis")),
    ("crlf", lambda t: t.replace("\n", "\r\n").encode("ascii")),
)

EXAMPLES = (
    ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"),
)


def decoy_text(rng: random.Random) -> tuple[str, list[str]]:
    """Text full of things that look like keys and are not (plus the documentation's examples); returns the text
    and the decoy values that must never be reported as leaks."""
    values: list[str] = []
    lines = ["# decoys: none of these is a credential"]
    for _ in range(3):
        sha1 = f"{rng.getrandbits(160):040x}"
        values.append(sha1)
        lines += [f"commit {sha1}", f"secret_key = {sha1}", f"aws_secret_access_key: {sha1}"]
    sha256 = f"{rng.getrandbits(256):064x}"
    lines.append(f"sha256={sha256}")
    for _ in range(3):
        u = str(uuid.UUID(int=rng.getrandbits(128)))
        values.append(u)
        lines.append(f"request_id: {u}")
    blob = bytes(rng.getrandbits(8) for _ in range(600))
    encoded = base64.b64encode(blob).decode()
    for width in (76, 64, 40):
        lines += [encoded[i : i + width] for i in range(0, len(encoded), width)]
    values += [encoded[i : i + 40] for i in range(0, len(encoded), 40)]
    upper = "".join(rng.choice(B32) for _ in range(40))
    values.append(upper)
    lines.append(f"SECRET_KEY={upper}")
    lines.append(f"IDENTIFIER=XAKIA{''.join(rng.choice(B32) for _ in range(16))}")
    lines.append(f"LONG=AKIA{''.join(rng.choice(B32) for _ in range(24))}")
    lines.append("arn:aws:iam::123456789012:user/AKIA-is-not-a-key")
    fixture = "AKIATESTKEY" + "".join(rng.choice("0189") for _ in range(9))  # not base32: no AWS key has it
    values.append(fixture)
    lines += [f"aws_access_key_id = {fixture}", f"aws_secret_access_key = {make_secret(rng)}"]
    lines.append("integrity sha512-" + base64.b64encode(bytes(rng.getrandbits(8) for _ in range(64))).decode())
    for key_id, secret in EXAMPLES:
        lines += [f"aws_access_key_id = {key_id}", f"aws_secret_access_key = {secret}"]
    return "\n".join(lines) + "\n", values


@dataclass
class Plant:
    kind: str
    value: str
    format: str
    encoding: str
    path: str
    removed: bool
    account: str | None = None


@dataclass
class Corpus:
    root: Path
    plants: list[Plant] = field(default_factory=list)
    decoys: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


GIT_ENV = {
    "GIT_AUTHOR_NAME": "Corpus Bot",
    "GIT_AUTHOR_EMAIL": "bot@example.com",
    "GIT_COMMITTER_NAME": "Corpus Bot",
    "GIT_COMMITTER_EMAIL": "bot@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.clock = 1_700_000_000
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, data: bytes | None = None) -> str:
        env = {
            **os.environ,
            **GIT_ENV,
            "GIT_AUTHOR_DATE": f"{self.clock} +0000",
            "GIT_COMMITTER_DATE": f"{self.clock} +0000",
        }
        out = subprocess.run(["git", *args], cwd=self.root, env=env, input=data, capture_output=True, check=True)
        return out.stdout.decode().strip()

    def write(self, path: str, data: bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def commit(self, message: str) -> str:
        self.clock += 3600
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")


def build_corpus(root: Path, account: str = "444455556666", seed: int = 16) -> Corpus:
    """The planted repository at ``root`` (see the module docstring); returns what was planted where."""
    rng = random.Random(seed)
    repo = Repo(root)
    corpus = Corpus(root)
    repo.write("README.md", b"# planted corpus\n")
    repo.commit("initial")
    plan: list[tuple[Format, str, Callable[[str], bytes]]] = []
    for i, fmt in enumerate(FORMATS):
        for j, (enc_name, encode) in enumerate(ENCODINGS):
            if (i + j) % 3 == 0 or enc_name == "utf-8":
                plan.append((fmt, enc_name, encode))
    removed_later: list[str] = []
    for n, (fmt, enc_name, encode) in enumerate(plan):
        temporary = fmt.temporary
        cred = Credential(
            make_key_id(account, rng, "ASIA" if temporary else "AKIA"),
            make_secret(rng),
            make_token(rng) if temporary else None,
        )
        path = f"{enc_name}/{fmt.path}"
        repo.write(path, encode(fmt.render(cred)))
        removed = n % 2 == 0
        if removed:
            removed_later.append(path)
        for kind, value in (
            ("access_key_id", cred.key_id),
            ("secret_access_key", cred.secret),
            ("session_token", cred.token),
        ):
            if value is not None:
                corpus.plants.append(Plant(kind, value, fmt.name, enc_name, path, removed, account))
        if n % 5 == 4:
            repo.commit(f"add config batch {n}")
    text, decoys = decoy_text(rng)
    corpus.decoys += decoys
    corpus.examples += [v for pair in EXAMPLES for v in pair]
    repo.write("tests/fixtures/decoys.txt", text.encode())
    repo.write("assets/logo.png", bytes(rng.getrandbits(8) for _ in range(2048)))
    repo.commit("add fixtures and configs")
    for path in removed_later:
        (root / path).unlink()
    repo.commit("remove leaked keys")
    # a branch deleted after use: its commits live on in the reflog
    repo.git("checkout", "-q", "-b", "experiment")
    cred = Credential(make_key_id(account, rng), make_secret(rng))
    repo.write("experiment/.env", FORMATS[0].render(cred).encode())
    repo.commit("experiment")
    repo.git("checkout", "-q", "main")
    repo.git("branch", "-q", "-D", "experiment")
    corpus.plants += [
        Plant("access_key_id", cred.key_id, "dotenv", "utf-8", "experiment/.env", True, account),
        Plant("secret_access_key", cred.secret, "dotenv", "utf-8", "experiment/.env", True, account),
    ]
    # an object written but never committed, then packed: reachable from nothing
    cred = Credential(make_key_id(account, rng), make_secret(rng))
    repo.git("hash-object", "-w", "--stdin", data=FORMATS[1].render(cred).encode())
    repo.git("repack", "-a", "-d", "-k", "-q")
    corpus.plants += [
        Plant("access_key_id", cred.key_id, "aws-credentials-ini", "utf-8", "(unreachable)", True, account),
        Plant("secret_access_key", cred.secret, "aws-credentials-ini", "utf-8", "(unreachable)", True, account),
    ]
    return corpus


def planted_values(plants: Sequence[Plant]) -> set[str]:
    return {p.value for p in plants}
