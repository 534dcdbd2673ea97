#!/usr/bin/env python3
"""A stand-in for the GitHub Actions runner, for check-actions: it runs a
composite action's steps from its action.yml the way the runner does, then
later steps of the same job, then ends the job.

The job lives in a directory DIR holding context.json, written by the test:
  {"env": {...},        the runner's environment for every step (HOME, PATH,
                        RUNNER_TEMP, GITHUB_SERVER_URL, ...)
   "github": {...},     the github context (token, server_url, actor, ...)
   "runner": {...}}     the runner context (temp, os, arch)
and the job's state, kept between calls in state.json: what steps appended
to GITHUB_ENV and GITHUB_PATH, and each step's outputs.

What the runner does and this does too: `${{ }}` expressions in a step's
`env:` and `run:` (inputs, github, runner, env, steps.ID.outputs; an input's
default may be an expression); a composite step gets the runner's
environment, the job's GITHUB_ENV variables and GITHUB_PATH entries, its
`env:`, GITHUB_ACTION_PATH, and fresh GITHUB_ENV/GITHUB_PATH/GITHUB_OUTPUT
files under RUNNER_TEMP/_runner_file_commands that are read back after the
step (NAME=VALUE and NAME<<DELIMITER forms); `shell: bash` runs
`bash --noprofile --norc -eo pipefail FILE`; a failing step fails the action
and no later step runs; at the end of the job RUNNER_TEMP is emptied.  No
post step: a composite action has none.  Anything else in action.yml (an
`if:`, `uses:` inside the composite, another shell, an expression it cannot
evaluate) is an error here, so the emulation never silently differs.

The action's inputs (the step's `with:`) are in DIR/with.json when given,
never on a command line: the token is one of them.

usage: fake_runner.py action DIR ACTION_DIR                   (the action)
       fake_runner.py step DIR -- COMMAND...                  (a later step)
       fake_runner.py end DIR                                 (the job ends)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import uuid

EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)


class Job:
    def __init__(self, d):
        self.dir = d
        with open(os.path.join(d, "context.json")) as f:
            self.ctx = json.load(f)
        sp = os.path.join(d, "state.json")
        self.state = {"env": {}, "path": [], "steps": {}}
        if os.path.exists(sp):
            with open(sp) as f:
                self.state = json.load(f)

    def save(self):
        with open(os.path.join(self.dir, "state.json"), "w") as f:
            json.dump(self.state, f)

    @property
    def temp(self):
        return self.ctx["env"]["RUNNER_TEMP"]

    def base_env(self):
        """The environment of any step: the runner's, the job's GITHUB_ENV
        variables, and GITHUB_PATH's entries in front of PATH (last added
        first)."""
        env = dict(self.ctx["env"])
        env.update(self.state["env"])
        if self.state["path"]:
            env["PATH"] = ":".join(reversed(self.state["path"])) + ":" + env.get("PATH", "")
        return env

    def file_commands(self, env):
        d = os.path.join(self.temp, "_runner_file_commands")
        os.makedirs(d, exist_ok=True)
        files = {}
        for var, stem in (("GITHUB_ENV", "set_env"), ("GITHUB_PATH", "add_path"),
                          ("GITHUB_OUTPUT", "set_output")):
            p = os.path.join(d, f"{stem}_{uuid.uuid4()}")
            open(p, "w").close()
            env[var] = files[var] = p
        return files

    def read_back(self, files, step_id=None):
        self.state["env"].update(parse_kv(files["GITHUB_ENV"]))
        with open(files["GITHUB_PATH"]) as f:
            self.state["path"] += [l.rstrip("\n") for l in f if l.strip()]
        outputs = parse_kv(files["GITHUB_OUTPUT"])
        if step_id:
            self.state["steps"][step_id] = {"outputs": outputs}
        for p in files.values():
            os.unlink(p)


def parse_kv(path):
    """GITHUB_ENV / GITHUB_OUTPUT: NAME=VALUE lines and NAME<<DELIM blocks."""
    out = {}
    with open(path) as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            value = []
            while i < len(lines) and lines[i] != delim:
                value.append(lines[i])
                i += 1
            if i >= len(lines):
                sys.exit(f"fake runner: unterminated {name}<<{delim} in {path}")
            i += 1
            out[name] = "\n".join(value)
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        else:
            sys.exit(f"fake runner: malformed line in {path}: {line!r}")
    return out


def evaluate(text, ctx):
    def one(m):
        expr = m.group(1).strip()
        if not re.fullmatch(r"[A-Za-z_][\w-]*(\.[\w-]+)*", expr):
            sys.exit(f"fake runner: cannot evaluate ${{{{ {expr} }}}}")
        parts = expr.split(".")
        v = ctx
        for p in parts:
            if not isinstance(v, dict) or p not in v:
                if parts[0] in ("inputs", "env", "steps", "github", "runner") and len(parts) >= 2:
                    return ""  # an unset context member is the empty string
                sys.exit(f"fake runner: unknown ${{{{ {expr} }}}}")
            v = v[p]
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)
    return EXPR.sub(one, str(text))


def run_action(job, action_dir, given):
    import yaml  # only here: it is slow to import, and steps need no YAML
    with open(os.path.join(action_dir, "action.yml")) as f:
        action = yaml.safe_load(f)
    runs = action["runs"]
    if runs.get("using") != "composite":
        sys.exit("fake runner: only composite actions are emulated")
    ctx = {"github": dict(job.ctx["github"], action_path=action_dir),
           "runner": job.ctx["runner"], "env": job.base_env(), "steps": {}}
    inputs = {}
    for name, spec in (action.get("inputs") or {}).items():
        if name in given:
            inputs[name] = given[name]
        else:
            inputs[name] = evaluate((spec or {}).get("default", ""), ctx)
    ctx["inputs"] = inputs
    for i, step in enumerate(runs["steps"]):
        for key in step:
            if key not in ("id", "name", "shell", "run", "env", "working-directory"):
                sys.exit(f"fake runner: step {i}: '{key}' is not emulated")
        if step.get("shell") != "bash":
            sys.exit(f"fake runner: step {i}: shell {step.get('shell')!r} is not emulated")
        ctx["env"] = job.base_env()
        ctx["steps"] = job.state["steps"]
        env = job.base_env()
        env["GITHUB_ACTION_PATH"] = action_dir
        for k, v in (step.get("env") or {}).items():
            env[k] = evaluate(v, ctx)
        files = job.file_commands(env)
        script = os.path.join(job.temp, f"{uuid.uuid4()}.sh")
        with open(script, "w") as f:
            f.write(evaluate(step["run"], ctx))
        cwd = evaluate(step.get("working-directory", env.get("GITHUB_WORKSPACE", job.temp)), ctx)
        rc = subprocess.call(["bash", "--noprofile", "--norc", "-eo", "pipefail", script],
                             env=env, cwd=cwd)
        os.unlink(script)
        job.read_back(files, step.get("id"))
        job.save()
        if rc != 0:
            print(f"fake runner: step {step.get('id', i)} failed with exit code {rc}")
            return rc
    ctx["steps"] = job.state["steps"]
    outputs = {k: evaluate(v.get("value", ""), ctx) for k, v in (action.get("outputs") or {}).items()}
    with open(os.path.join(job.dir, "outputs.json"), "w") as f:
        json.dump(outputs, f)
    return 0


def run_step(job, argv):
    env = job.base_env()
    files = job.file_commands(env)
    # A step leads its own process group, as the runner's step processes do,
    # so the test can kill a job between steps the way a cancel does.
    rc = subprocess.call(argv, env=env, cwd=env.get("GITHUB_WORKSPACE", job.temp),
                         start_new_session=True)
    job.read_back(files)
    job.save()
    return rc


def end_job(job):
    """The runner empties RUNNER_TEMP once the job is over."""
    for entry in os.listdir(job.temp):
        p = os.path.join(job.temp, entry)
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
        else:
            os.unlink(p)
    if os.path.exists(os.path.join(job.dir, "state.json")):
        os.unlink(os.path.join(job.dir, "state.json"))
    return 0


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    job = Job(argv[2])
    if argv[1] == "action":
        given = {}
        wp = os.path.join(job.dir, "with.json")
        if os.path.exists(wp):
            with open(wp) as f:
                given = json.load(f)
        return run_action(job, argv[3], given)
    if argv[1] == "step":
        return run_step(job, argv[4:] if argv[3] == "--" else argv[3:])
    if argv[1] == "end":
        return end_job(job)
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
