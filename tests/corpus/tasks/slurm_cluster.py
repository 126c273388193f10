"""tests/corpus/tasks/slurm_cluster.py — a real one-node Slurm cluster for a test, as root.

Starts munged, slurmctld and slurmd (Debian's slurm-wlm packages, installed by
tools/setup.sh --test) in the foreground as children of the test, with every file under one
temporary directory of its own (removed by stop()): a fresh munge key, a slurm.conf written here (node `localhost` with 4
CPUs on whatever the machine has: SlurmdParameters=config_overrides; proctrack/linuxproc and
task/none, which need no cgroup set-up; free TCP ports), state, spool and logs. `env` is what
clients (sbatch, squeue, the program under test) need: SLURM_CONF. stop() shuts Slurm down
with `scontrol shutdown`, then ends any daemon still running by its pid (never by name).
Standard library only.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SlurmCluster:
    def __init__(self):
        # Its own directory right under the temporary directory: munged wants every directory
        # above its socket searchable by all, which a test's private temporary directory is not.
        self.root = root = tempfile.mkdtemp(prefix="rwkvkit_slurm_cluster_")
        self.procs = []
        for d in ("state", "spool", "log", "run", "munge"):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        os.chmod(root, 0o755)
        os.chmod(os.path.join(root, "munge"), 0o755)
        self.socket = os.path.join(root, "munge", "munge.socket")
        self.conf = os.path.join(root, "slurm.conf")
        self.env = dict(os.environ, SLURM_CONF=self.conf)
        self.jobcomp = os.path.join(root, "log", "jobcomp.txt")

    def _config(self):
        r = self.root
        return "\n".join([
            "ClusterName=rwkvkittest", "SlurmctldHost=localhost", "SlurmUser=root",
            f"SlurmctldPort={_free_port()}", f"SlurmdPort={_free_port()}",
            f"AuthInfo=socket={self.socket}", "ProctrackType=proctrack/linuxproc", "TaskPlugin=task/none",
            "JobCompType=jobcomp/filetxt", f"JobCompLoc={self.jobcomp}",
            "SchedulerParameters=batch_sched_delay=0", "SelectType=select/cons_tres", "SelectTypeParameters=CR_CPU",
            "ReturnToService=2", "MinJobAge=3600", "MailProg=/bin/true",
            f"StateSaveLocation={r}/state", f"SlurmdSpoolDir={r}/spool",
            f"SlurmctldPidFile={r}/run/slurmctld.pid", f"SlurmdPidFile={r}/run/slurmd.pid",
            f"SlurmctldLogFile={r}/log/slurmctld.log", f"SlurmdLogFile={r}/log/slurmd.log",
            "SlurmdParameters=config_overrides",
            "NodeName=localhost CPUs=4 RealMemory=1000 State=UNKNOWN",
            "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP", ""])

    def start(self, timeout=60):
        key = os.path.join(self.root, "munge", "munge.key")
        with open(key, "wb") as f:
            f.write(os.urandom(1024))
        os.chmod(key, 0o600)
        with open(self.conf, "w") as f:
            f.write(self._config())
        log = os.path.join(self.root, "log")
        self.procs.append(subprocess.Popen(
            ["munged", "--foreground", f"--socket={self.socket}", f"--key-file={key}",
             f"--log-file={log}/munged.log", f"--pid-file={self.root}/run/munged.pid",
             f"--seed-file={self.root}/munge/munged.seed"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        self._wait(lambda: subprocess.run(f"munge -S {self.socket} -n | unmunge -S {self.socket}", shell=True,
                                          capture_output=True).returncode == 0, timeout, "munged")
        for cmd in (["slurmctld", "-D", "-c"], ["slurmd", "-D", "-N", "localhost"]):
            out = open(os.path.join(log, cmd[0] + ".out"), "w")
            self.procs.append(subprocess.Popen(cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT))
        self._wait(lambda: "idle" in subprocess.run(["sinfo", "-h", "-o", "%T"], env=self.env, capture_output=True,
                                                    text=True, timeout=30).stdout, timeout, "the node to be idle")
        probe = subprocess.run(["srun", "-N1", "true"], env=self.env, capture_output=True, text=True, timeout=timeout)
        if probe.returncode != 0:
            raise RuntimeError(f"srun probe failed: {probe.stderr}")

    def _wait(self, ready, timeout, what):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError(f"{p.args[0]} exited with {p.returncode} while waiting for {what}: "
                                       f"{self.logs()}")
            try:
                if ready():
                    return
            except subprocess.TimeoutExpired:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"timed out waiting for {what}: {self.logs()}")

    def logs(self):
        out = []
        for name in ("slurmctld.log", "slurmd.log", "munged.log", "slurmctld.out", "slurmd.out"):
            p = os.path.join(self.root, "log", name)
            if os.path.exists(p):
                with open(p, errors="replace") as f:
                    out.append(f"--- {name}\n" + "".join(f.readlines()[-15:]))
        return "\n".join(out)

    def jobs(self):
        """`scontrol -o show job`: one dict per job (array tasks included)."""
        r = subprocess.run(["scontrol", "-o", "show", "job"], env=self.env, capture_output=True, text=True)
        jobs = []
        for line in r.stdout.splitlines():
            fields = {}
            for item in line.split():
                if "=" in item:
                    k, v = item.split("=", 1)
                    fields[k] = v
            jobs.append(fields)
        return jobs

    def stop(self):
        if any(p.poll() is None for p in self.procs[1:]):
            subprocess.run(["scontrol", "shutdown"], env=self.env, capture_output=True, timeout=30)
        deadline = time.time() + 20
        for p in reversed(self.procs):
            if p is self.procs[0]:
                if p.poll() is None:
                    p.terminate()
            try:
                p.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def slurm_available():
    return all(shutil.which(t) for t in ("munged", "munge", "unmunge", "slurmctld", "slurmd", "sbatch", "squeue",
                                         "scontrol", "sinfo", "srun"))
