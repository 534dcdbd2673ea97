#!/usr/bin/env python3
"""Checks one GitHub Actions file: a composite action (action.yml) or a
workflow.  It must parse as YAML and have the shape GitHub requires (what
actionlint would say first, with no actionlint on this machine); every `run:`
script must pass shellcheck with the ${{ }} expressions stood in for; and
with --example, it must publish through the docker-credential-ghcr action
with no login step.  Prints one line per problem; exit status 1 if any.

Usage: check_workflow.py [--action | --example] FILE
"""
import re
import shutil
import subprocess
import sys

import yaml

EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
problems = []


def problem(msg):
    problems.append(msg)


def check_expressions(text):
    opened, closed = text.count("${{"), len(EXPR.findall(text))
    if opened != closed:
        problem(f"{opened} '${{{{' but {closed} complete ${{{{ … }}}} expressions")


def check_run(where, script, shell):
    if not shutil.which("shellcheck") or shell not in (None, "bash", "sh"):
        return
    # An expression becomes a plain word, as the runner substitutes it.
    body = EXPR.sub("GHA_EXPR", script)
    res = subprocess.run(
        ["shellcheck", "-s", "bash", "-S", "warning", "-f", "gcc", "-"],
        input="#!/bin/bash\n" + body, capture_output=True, text=True)
    for line in res.stdout.splitlines():
        problem(f"{where}: shellcheck: {line.split(':', 3)[-1].strip()}")


def check_steps(where, steps, composite=False):
    if not isinstance(steps, list) or not steps:
        problem(f"{where}: 'steps' must be a non-empty list")
        return
    for i, step in enumerate(steps):
        here = f"{where}.steps[{i}]"
        if not isinstance(step, dict):
            problem(f"{here}: a step must be a mapping")
            continue
        if ("uses" in step) == ("run" in step):
            problem(f"{here}: a step has exactly one of 'uses' and 'run'")
        if "run" in step:
            if composite and "shell" not in step:
                problem(f"{here}: a composite action's run step needs 'shell'")
            check_run(here, step["run"], step.get("shell"))
        if "with" in step and "uses" not in step:
            problem(f"{here}: 'with' without 'uses'")


def check_action(doc):
    for key in ("name", "description", "runs"):
        if key not in doc:
            problem(f"action: missing '{key}'")
    runs = doc.get("runs") or {}
    if runs.get("using") != "composite":
        problem(f"action: runs.using is {runs.get('using')!r}, expected 'composite'")
    check_steps("runs", runs.get("steps"), composite=True)
    token = (doc.get("inputs") or {}).get("token") or {}
    if token.get("default") != "${{ github.token }}":
        problem(f"action: input 'token' defaults to {token.get('default')!r}, expected '${{{{ github.token }}}}'")
    ids = {s.get("id") for s in runs.get("steps") or [] if isinstance(s, dict)}
    outputs = doc.get("outputs") or {}
    if "version" not in outputs:
        problem("action: no 'version' output")
    for name, out in outputs.items():
        m = re.fullmatch(r"\$\{\{\s*steps\.([\w-]+)\.outputs\.[\w-]+\s*\}\}", str((out or {}).get("value", "")))
        if not m or m.group(1) not in ids:
            problem(f"action: output '{name}' is not taken from a step of this action")


def check_workflow(doc):
    # YAML 1.1 reads the key `on` as the boolean true.
    if "on" not in doc and True not in doc:
        problem("workflow: no 'on' trigger")
    jobs = doc.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        problem("workflow: 'jobs' must be a non-empty mapping")
        return
    for name, job in jobs.items():
        if not isinstance(job, dict):
            problem(f"jobs.{name}: a job must be a mapping")
        elif "uses" in job:
            continue  # a reusable workflow call
        elif "runs-on" not in job:
            problem(f"jobs.{name}: no 'runs-on'")
        else:
            check_steps(f"jobs.{name}", job.get("steps"))
            for need in [job.get("needs")] if isinstance(job.get("needs"), str) else job.get("needs") or []:
                if need not in jobs:
                    problem(f"jobs.{name}: needs unknown job '{need}'")


def check_example(doc):
    steps = [s for j in (doc.get("jobs") or {}).values() if isinstance(j, dict)
             for s in j.get("steps") or [] if isinstance(s, dict)]
    uses = [str(s.get("uses", "")) for s in steps]
    if not any(u.startswith("docker-credential-ghcr/docker-credential-ghcr@") for u in uses):
        problem("example: does not use the docker-credential-ghcr action")
    if any(u.startswith("docker/login-action") for u in uses):
        problem("example: uses docker/login-action")
    for s in steps:
        if re.search(r"\b(docker|podman|buildah|skopeo)\s+login\b", str(s.get("run", ""))):
            problem(f"example: a step logs in: {s.get('run').strip().splitlines()[0]}")
    perms = doc.get("permissions") or {}
    jobs_perms = [j.get("permissions") or {} for j in (doc.get("jobs") or {}).values() if isinstance(j, dict)]
    if perms.get("packages") != "write" and not all(p.get("packages") == "write" for p in jobs_perms):
        problem("example: the job token needs 'permissions: packages: write' to push")


def main(argv):
    mode, path = (argv[1], argv[2]) if len(argv) == 3 else (None, argv[1])
    text = open(path, encoding="utf-8").read()
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        print(f"{path}: not valid YAML: {e}")
        return 1
    if not isinstance(doc, dict):
        print(f"{path}: the document is not a mapping")
        return 1
    check_expressions(text)
    if mode == "--action":
        check_action(doc)
    else:
        check_workflow(doc)
        if mode == "--example":
            check_example(doc)
    for p in problems:
        print(f"{path}: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
