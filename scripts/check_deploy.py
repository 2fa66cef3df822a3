#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Offline check of the Kubernetes deployment (examples/deploy/kubernetes, docs/scale.md).

No cluster and no kubectl: every YAML document is parsed with PyYAML (Debian python3-yaml) and
checked against the schema below, written for the kinds the deployment uses:
- apiVersion/kind known, metadata.name, namespace ccrec; references resolve (PVC claims,
  ConfigMaps, Service selectors, volume mounts, kustomization resources);
- every pod: runAsNonRoot, seccomp RuntimeDefault; every container: resources, no privilege
  escalation, read-only root filesystem, capabilities drop ALL;
- no secret value inline: no Secret manifest with data, no secret flag (--client-secret ...) in
  args, no password in a redis:// URL, no env value for a secret-like name, no AWS key id;
- ccrec-export containers: args use only flags that `ccrec-export SUBCOMMAND --help` lists (the
  built binary is run), $(VAR) references are defined in env, --shard index/N with an Indexed Job
  whose completions = parallelism = N, {shard} in --manifest, Redis URLs naming a Service here;
- Jobs: completionMode Indexed, restartPolicy Never with backoffLimitPerIndex/podFailurePolicy;
  CronJob: concurrencyPolicy Forbid, a five-field schedule;
- Redis: its config (a ConfigMap mounted into the redis container) has `appendonly yes` and its
  `dir` is on a PersistentVolumeClaim.

Run by ctest as `deploy.kubernetes`; exits 1 listing every problem. `--self-test` (ctest
`deploy.kubernetes_selftest`) checks the checker: the pristine copy passes, and each of a set of
deliberately broken copies fails with the expected message.
Usage: check_deploy.py --ccrec-export PATH [--root REPO] [--self-test]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:  # a clear failure, not a skip: scripts/lib.sh installs python3-yaml
    print("check_deploy.py: PyYAML is missing (Debian: apt-get install python3-yaml)", file=sys.stderr)
    sys.exit(1)

DEPLOY_DIR = os.path.join("examples", "deploy", "kubernetes")
NAMESPACE = "ccrec"
KINDS = {
    ("v1", "Namespace"): {"namespaced": False, "spec": False},
    ("v1", "ConfigMap"): {"namespaced": True, "spec": False},
    ("v1", "Secret"): {"namespaced": True, "spec": False},
    ("v1", "Service"): {"namespaced": True, "spec": True},
    ("v1", "ServiceAccount"): {"namespaced": True, "spec": False},
    ("v1", "PersistentVolumeClaim"): {"namespaced": True, "spec": True},
    ("apps/v1", "Deployment"): {"namespaced": True, "spec": True},
    ("batch/v1", "Job"): {"namespaced": True, "spec": True},
    ("batch/v1", "CronJob"): {"namespaced": True, "spec": True},
    ("networking.k8s.io/v1", "NetworkPolicy"): {"namespaced": True, "spec": True},
    ("kustomize.config.k8s.io/v1beta1", "Kustomization"): {"namespaced": False, "spec": False},
}
# Flags whose value is a secret: never in args (use the -file twin or $CREDENTIALS_DIRECTORY).
SECRET_FLAGS = {"--client-secret", "--client-id", "--applications-token", "--password", "--api-key",
                "--webhook-secret", "--auth-code", "--aws-secret-access-key"}
SECRET_ENV = re.compile(r"(SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|ACCESS_KEY|PRIVATE)", re.I)
ACCESS_KEY_ID = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")
VAR_REF = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
REDIS_URL = re.compile(r"^rediss?://(?:(?P<user>[^:@/]*)(?::(?P<password>[^@/]*))?@)?(?P<host>[^:/]+)(?::(?P<port>\d+))?")


class Checker:
    def __init__(self, deploy_dir, binary):
        self.dir = deploy_dir
        self.binary = binary
        self.problems = []
        self.help_flags = {}

    def bad(self, where, message):
        self.problems.append(f"{where}: {message}")

    # --- the binary's flags -------------------------------------------------------------------
    def flags_of(self, subcommand):
        if subcommand not in self.help_flags:
            out = subprocess.run([self.binary, subcommand, "--help"], capture_output=True, text=True, timeout=30)
            if out.returncode != 0:
                raise SystemExit(f"check_deploy.py: `{self.binary} {subcommand} --help` exited {out.returncode}")
            self.help_flags[subcommand] = set(re.findall(r"(?:^|[\s,])(--[a-z0-9][a-z0-9-]*|-[a-zA-Z])\b", out.stdout))
        return self.help_flags[subcommand]

    # --- loading --------------------------------------------------------------------------------
    def load(self):
        docs = []
        files = sorted(f for f in os.listdir(self.dir) if f.endswith((".yaml", ".yml")))
        if not files:
            self.bad(self.dir, "no YAML file")
        for name in files:
            path = os.path.join(self.dir, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if ACCESS_KEY_ID.search(text):
                self.bad(name, "contains an AWS access key id")
            try:
                for i, doc in enumerate(yaml.safe_load_all(text)):
                    if doc is not None:
                        docs.append((f"{name}#{i}", name, doc))
            except yaml.YAMLError as e:
                self.bad(name, f"not valid YAML: {e}".replace("\n", " "))
        return files, docs

    # --- checks ---------------------------------------------------------------------------------
    def run(self):
        files, docs = self.load()
        by_kind = {}
        for where, name, doc in docs:
            if not isinstance(doc, dict):
                self.bad(where, "a document that is not a mapping")
                continue
            key = (doc.get("apiVersion"), doc.get("kind"))
            if key not in KINDS:
                self.bad(where, f"unknown apiVersion/kind {key[0]}/{key[1]}")
                continue
            meta = doc.get("metadata") or {}
            if key[1] != "Kustomization":
                if not meta.get("name"):
                    self.bad(where, "metadata.name is missing")
                if KINDS[key]["namespaced"] and meta.get("namespace") != NAMESPACE:
                    self.bad(where, f"metadata.namespace must be {NAMESPACE}")
            if KINDS[key]["spec"] and not isinstance(doc.get("spec"), dict):
                self.bad(where, "spec is missing")
                continue
            by_kind.setdefault(key[1], []).append((where, name, doc))
        self.check_references(files, by_kind)
        for where, _, doc in by_kind.get("Secret", []):
            if doc.get("data") or doc.get("stringData"):
                self.bad(where, "a Secret with inline values (create it with kubectl create secret ... --from-file)")
        for where, _, doc in by_kind.get("CronJob", []):
            spec = doc["spec"]
            if spec.get("concurrencyPolicy") != "Forbid":
                self.bad(where, "concurrencyPolicy must be Forbid (two runs of a shard contend for its manifest)")
            if len(str(spec.get("schedule", "")).split()) != 5:
                self.bad(where, "schedule must have five fields")
            job = (spec.get("jobTemplate") or {}).get("spec")
            if not isinstance(job, dict):
                self.bad(where, "jobTemplate.spec is missing")
                continue
            self.check_job(where, job)
        for where, _, doc in by_kind.get("Job", []):
            self.check_job(where, doc["spec"])
        for where, _, doc in by_kind.get("Deployment", []):
            spec = doc["spec"]
            labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
            match = (spec.get("selector") or {}).get("matchLabels") or {}
            if not match or any(labels.get(k) != v for k, v in match.items()):
                self.bad(where, "selector.matchLabels does not match the pod template's labels")
            self.check_pod(where, (spec.get("template") or {}).get("spec"), None)
        self.check_redis(by_kind)
        return self.problems

    def check_references(self, files, by_kind):
        names = lambda kind: {d["metadata"]["name"] for _, _, d in by_kind.get(kind, []) if d.get("metadata", {}).get("name")}
        self.pvcs, self.configmaps, self.services = names("PersistentVolumeClaim"), names("ConfigMap"), names("Service")
        self.service_accounts = names("ServiceAccount")
        pod_labels = []
        for kind in ("Deployment",):
            for _, _, d in by_kind.get(kind, []):
                pod_labels.append(((d["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {})
        for where, _, d in by_kind.get("Service", []):
            sel = d["spec"].get("selector") or {}
            if not sel or not any(all(l.get(k) == v for k, v in sel.items()) for l in pod_labels):
                self.bad(where, f"the selector {sel} matches no Deployment's pods")
        for where, _, d in by_kind.get("Kustomization", []):
            for r in d.get("resources") or []:
                if r not in files:
                    self.bad(where, f"resource {r} is not a file here")

    def check_job(self, where, job):
        if job.get("completionMode") != "Indexed":
            self.bad(where, "completionMode must be Indexed (--shard index/N reads $JOB_COMPLETION_INDEX)")
        n = job.get("completions")
        if not isinstance(n, int) or n < 1 or job.get("parallelism") != n:
            self.bad(where, "completions and parallelism must be the same N >= 1")
        pod = (job.get("template") or {}).get("spec")
        if not isinstance(pod, dict):
            self.bad(where, "template.spec is missing")
            return
        restart = pod.get("restartPolicy")
        if restart not in ("Never", "OnFailure"):
            self.bad(where, "restartPolicy must be Never or OnFailure")
        if ("backoffLimitPerIndex" in job or "podFailurePolicy" in job) and restart != "Never":
            self.bad(where, "backoffLimitPerIndex and podFailurePolicy need restartPolicy Never")
        if "maxFailedIndexes" in job and "backoffLimitPerIndex" not in job:
            self.bad(where, "maxFailedIndexes needs backoffLimitPerIndex")
        for rule in (job.get("podFailurePolicy") or {}).get("rules") or []:
            if rule.get("action") == "FailIndex" and "backoffLimitPerIndex" not in job:
                self.bad(where, "podFailurePolicy FailIndex needs backoffLimitPerIndex")
        sa = pod.get("serviceAccountName")
        if sa and sa not in self.service_accounts:
            self.bad(where, f"serviceAccountName {sa} is not defined here")
        self.check_pod(where, pod, n)

    def check_pod(self, where, pod, completions):
        if not isinstance(pod, dict) or not pod.get("containers"):
            self.bad(where, "the pod has no containers")
            return
        psc = pod.get("securityContext") or {}
        if psc.get("runAsNonRoot") is not True:
            self.bad(where, "pod securityContext.runAsNonRoot must be true")
        if (psc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
            self.bad(where, "pod securityContext.seccompProfile.type must be RuntimeDefault")
        volumes = {}
        for v in pod.get("volumes") or []:
            volumes[v.get("name")] = v
            claim = (v.get("persistentVolumeClaim") or {}).get("claimName")
            if claim is not None and claim not in self.pvcs:
                self.bad(where, f"volume {v.get('name')}: PersistentVolumeClaim {claim} is not defined here")
            cm = (v.get("configMap") or {}).get("name")
            if cm is not None and cm not in self.configmaps:
                self.bad(where, f"volume {v.get('name')}: ConfigMap {cm} is not defined here")
        for c in pod["containers"]:
            cw = f"{where} container {c.get('name')}"
            if not c.get("name") or not c.get("image"):
                self.bad(cw, "name and image are required")
            res = c.get("resources") or {}
            if not (res.get("requests") or {}).get("memory") or not (res.get("limits") or {}).get("memory"):
                self.bad(cw, "resources.requests.memory and resources.limits.memory are required")
            sc = c.get("securityContext") or {}
            if sc.get("allowPrivilegeEscalation") is not False:
                self.bad(cw, "securityContext.allowPrivilegeEscalation must be false")
            if sc.get("readOnlyRootFilesystem") is not True:
                self.bad(cw, "securityContext.readOnlyRootFilesystem must be true")
            if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
                self.bad(cw, "securityContext.capabilities.drop must contain ALL")
            if sc.get("privileged"):
                self.bad(cw, "must not be privileged")
            for m in c.get("volumeMounts") or []:
                if m.get("name") not in volumes:
                    self.bad(cw, f"volumeMount {m.get('name')} names no volume of the pod")
            env_names = set()
            for e in c.get("env") or []:
                env_names.add(e.get("name"))
                if "value" in e and SECRET_ENV.search(str(e.get("name"))) and not str(e.get("name")).endswith("_FILE"):
                    self.bad(cw, f"env {e.get('name')} has an inline value: use a Secret mounted as a file")
                if (e.get("valueFrom") or {}).get("secretKeyRef") is not None:
                    pass  # allowed, though the deployment prefers files
            args = [str(a) for a in (c.get("command") or []) + (c.get("args") or [])]
            for a in args:
                for var in VAR_REF.findall(a):
                    if var not in env_names:
                        self.bad(cw, f"$({var}) in args is not defined in env")
                for url in re.findall(r"rediss?://\S+", a):
                    m = REDIS_URL.match(url)
                    if m and m.group("password"):
                        self.bad(cw, "a password in a redis:// URL (use --redis-password-file)")
            if str(c.get("image", "")).split("/")[-1].startswith("ccrec-export"):
                self.check_ccrec_args(cw, c.get("args") or [], completions, volumes, c.get("volumeMounts") or [])

    def check_ccrec_args(self, where, args, completions, volumes, mounts):
        args = [str(a) for a in args]
        if not args or args[0].startswith("-"):
            self.bad(where, "the first arg must be the ccrec-export subcommand")
            return
        known = self.flags_of(args[0])
        values = {}
        for a in args[1:]:
            if not a.startswith("-"):
                continue
            flag, _, value = a.partition("=")
            if flag in SECRET_FLAGS:
                self.bad(where, f"{flag} puts a secret in the pod spec (use {flag}-file and a Secret volume)")
            if flag not in known:
                self.bad(where, f"{flag} is not a flag of `ccrec-export {args[0]} --help`")
            values[flag] = value
        shard = values.get("--shard")
        if shard is not None:
            m = re.fullmatch(r"index/(\d+)", shard)
            if not m:
                self.bad(where, "--shard must be index/N in a Job (the index comes from $JOB_COMPLETION_INDEX)")
            elif completions is None or int(m.group(1)) != completions:
                self.bad(where, f"--shard index/{m.group(1)} needs an Indexed Job with completions = parallelism = {m.group(1)}")
            if "{shard}" not in values.get("--manifest", ""):
                self.bad(where, "--shard needs {shard} in --manifest (one manifest per shard)")
        elif completions is not None and completions > 1:
            self.bad(where, "an Indexed Job of several pods needs --shard index/N")
        for flag in ("--token-store", "--rate-limit-store"):
            url = values.get(flag)
            if url is None:
                continue
            m = REDIS_URL.match(url)
            if not m:
                self.bad(where, f"{flag} {url} is not a redis:// URL")
            elif m.group("host").split(".")[0] not in self.services:
                self.bad(where, f"{flag}: host {m.group('host')} is not a Service defined here")
        paths = [v for k, v in values.items() if k.endswith("-file") or k in ("--manifest", "--metrics-textfile")]
        mount_points = [m.get("mountPath", "") for m in mounts]
        for p in paths:
            if p.startswith("/") and not any(p.startswith(mp.rstrip("/") + "/") for mp in mount_points):
                self.bad(where, f"{p} is on no volume mount (the root filesystem is read-only)")

    def check_redis(self, by_kind):
        configs = {d["metadata"]["name"]: d.get("data") or {} for _, _, d in by_kind.get("ConfigMap", [])}
        found = False
        for where, _, d in by_kind.get("Deployment", []):
            pod = (d["spec"].get("template") or {}).get("spec") or {}
            volumes = {v.get("name"): v for v in pod.get("volumes") or []}
            for c in pod.get("containers") or []:
                if not str(c.get("image", "")).split("/")[-1].startswith("redis"):
                    continue
                found = True
                conf = ""
                mounts = {m.get("name"): m.get("mountPath", "") for m in c.get("volumeMounts") or []}
                for name in mounts:
                    cm = (volumes.get(name) or {}).get("configMap")
                    if cm:
                        conf += "\n".join(str(v) for v in configs.get(cm.get("name"), {}).values())
                settings = {}
                for line in conf.splitlines():
                    parts = line.split(None, 1)
                    if parts and not parts[0].startswith("#"):
                        settings[parts[0].lower()] = parts[1].strip().strip('"') if len(parts) > 1 else ""
                if settings.get("appendonly") != "yes":
                    self.bad(where, "Redis must run with appendonly yes (the rotated refresh token must survive a restart)")
                if "requirepass" in settings:
                    self.bad(where, "requirepass in a ConfigMap: the password belongs in a Secret")
                data_dir = settings.get("dir", "")
                on_pvc = any((volumes.get(n) or {}).get("persistentVolumeClaim") and data_dir
                             and (data_dir == p or data_dir.startswith(p.rstrip("/") + "/")) for n, p in mounts.items())
                if not on_pvc:
                    self.bad(where, f"Redis dir {data_dir or '(unset)'} is not on a PersistentVolumeClaim")
        if not found:
            self.bad(self.dir, "no Redis Deployment")


def check(deploy_dir, binary):
    return Checker(deploy_dir, binary).run()


# --- self-test: the checker catches each kind of breakage ----------------------------------------
MUTATIONS = [
    ("redis.yaml", "appendonly yes", "appendonly no", "appendonly yes"),
    ("cronjob.yaml", "- --progress=off", "- --no-such-flag", "--no-such-flag is not a flag"),
    ("cronjob.yaml", "- --progress=off", "- --client-secret=hunter2", "--client-secret puts a secret"),
    ("cronjob.yaml", "completionMode: Indexed", "completionMode: NonIndexed", "completionMode must be Indexed"),
    ("cronjob.yaml", "parallelism: 4", "parallelism: 3", "completions and parallelism"),
    ("cronjob.yaml", "--shard=index/4", "--shard=index/5", "--shard index/5 needs"),
    ("cronjob.yaml", "concurrencyPolicy: Forbid", "concurrencyPolicy: Allow", "concurrencyPolicy must be Forbid"),
    ("cronjob.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "readOnlyRootFilesystem"),
    ("cronjob.yaml", "runAsNonRoot: true", "runAsNonRoot: false", "runAsNonRoot"),
    ("cronjob.yaml", 'drop: ["ALL"]', 'drop: ["NET_RAW"]', "drop must contain ALL"),
    ("cronjob.yaml", "redis://ccrec-redis:6379/ccrec", "redis://:hunter2@ccrec-redis:6379/ccrec", "a password in a redis:// URL"),
    ("cronjob.yaml", "webex-{shard}.jsonl", "webex.jsonl", "{shard} in --manifest"),
    ("cronjob.yaml", "- name: AWS_REGION\n                  value: eu-west-1",
     "- name: AWS_SECRET_ACCESS_KEY\n                  value: wJalrXUtnFEMI", "has an inline value"),
    ("cronjob.yaml", "webex-$(SHARD).prom", "webex-$(SHARDS).prom", "$(SHARDS) in args is not defined"),
    ("cronjob.yaml", "apiVersion: batch/v1", "apiVersion: batch/v2", "unknown apiVersion/kind"),
    ("cronjob.yaml", "claimName: ccrec-state", "claimName: ccrec-stat", "ccrec-stat is not defined"),
    ("redis.yaml", "    dir /data", "    dir /var/lib/redis", "is not on a PersistentVolumeClaim"),
    ("redis.yaml", "  name: ccrec-redis\n  namespace: ccrec\n  labels:\n    app.kubernetes.io/name: ccrec-redis\n    app.kubernetes.io/part-of: ccrec\nspec:\n  type: ClusterIP",
     "  name: redis\n  namespace: ccrec\n  labels:\n    app.kubernetes.io/name: ccrec-redis\n    app.kubernetes.io/part-of: ccrec\nspec:\n  type: ClusterIP",
     "host ccrec-redis is not a Service"),
    ("namespace.yaml", "kind: Namespace", "kind: Namespace\n  broken: [", "not valid YAML"),
    (None, "secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ccrec-webex\n  namespace: ccrec\n"
     "stringData:\n  client-secret: hunter2\n", "a Secret with inline values"),
    (None, "aws.yaml", "# key AKIAIOSFODNN7EXAMPLE\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: ccrec\n",
     "an AWS access key id"),
]


def self_test(deploy_dir, binary):
    failures = []
    with tempfile.TemporaryDirectory(prefix="ccrec-deploy-") as tmp:
        pristine = check(deploy_dir, binary)
        if pristine:
            failures.append("the pristine deployment fails: " + "; ".join(pristine))
        for file, old, new, expect in MUTATIONS:
            copy = os.path.join(tmp, "k")
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(deploy_dir, copy)
            if file is None:  # add a file
                with open(os.path.join(copy, old), "w", encoding="utf-8") as f:
                    f.write(new)
                label = f"adding {old}"
            else:
                path = os.path.join(copy, file)
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                if old not in text:
                    failures.append(f"mutation of {file}: {old!r} not found (update the self-test)")
                    continue
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text.replace(old, new, 1))
                label = f"{file}: {old!r} -> {new!r}"
            problems = check(copy, binary)
            if not any(expect in p for p in problems):
                failures.append(f"{label}: expected a problem containing {expect!r}, got {problems}")
            else:
                print(f"ok: {label} -> {next(p for p in problems if expect in p)}")
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    parser.add_argument("--ccrec-export", required=True, help="the built ccrec-export (its --help gives the flags)")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    deploy_dir = os.path.join(os.path.abspath(args.root), DEPLOY_DIR)
    if args.self_test:
        failures = self_test(deploy_dir, args.ccrec_export)
        for f in failures:
            print(f"FAIL: {f}", file=sys.stderr)
        print(f"{len(MUTATIONS) - len(failures)}/{len(MUTATIONS)} broken copies caught" if not failures else "")
        return 1 if failures else 0
    problems = check(deploy_dir, args.ccrec_export)
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print(f"{DEPLOY_DIR}: ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
