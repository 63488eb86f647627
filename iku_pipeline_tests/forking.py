"""Children for the kill tests, forked from a parent that has imported them once.

A kill test starts a child process many times and kills it (SIGKILL to its process
group) at a random point. Started with ``python -m``, each child would spend most of
its life importing pandas and SQLAlchemy; forked from a parent that imported them
already, it starts writing at once, and is killed exactly as a started child would be.

The parent, ``python -m iku_pipeline_tests.forking MODULE``, imports MODULE, prints
``ready`` and then, for each line ``{"tag": ..., "argv": [...], "stderr": path|null}``
read on its standard input, forks a child that becomes a process group of its own,
prints ``pid <pid> <tag>``, runs ``MODULE.main(argv)`` (its output goes to the parent's
standard output, its standard error to ``stderr`` if given) and exits with what it
returned. For each child that ended the parent prints ``exit <pid> <code>`` (a negative
code: killed by that signal). It ends when its standard input closes, after its children.

``ForkServer`` (a context manager) runs such a parent for a test.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import subprocess
import sys
from dataclasses import dataclass, field


# ---------------------------------------------------------------- the parent


def _status(code: int) -> int:
    return -os.WTERMSIG(code) if os.WIFSIGNALED(code) else os.WEXITSTATUS(code)


def _child(module, request: dict) -> None:
    """In the forked child: never returns."""
    code = 1
    try:
        os.setsid()
        if request.get("stderr"):
            fd = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 2)
            os.close(fd)
        print(f"pid {os.getpid()} {request.get('tag', '')}", flush=True)
        code = module.main(list(request["argv"])) or 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported on the child's standard error
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(module_name: str) -> int:
    module = importlib.import_module(module_name)
    print("ready", flush=True)
    children: set[int] = set()
    stdin = sys.stdin.buffer
    buffered = b""
    open_input = True
    while open_input or children:
        if open_input:
            readable, _, _ = select.select([stdin], [], [], 0.01)
            if readable:
                chunk = os.read(stdin.fileno(), 65536)
                if not chunk:
                    open_input = False
                buffered += chunk
                while b"\n" in buffered:
                    line, buffered = buffered.split(b"\n", 1)
                    if line.strip():
                        sys.stdout.flush()
                        pid = os.fork()
                        if pid == 0:
                            _child(module, json.loads(line))
                        children.add(pid)
        else:
            select.select([], [], [], 0.01)
        while children:
            pid, code = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            children.discard(pid)
            print(f"exit {pid} {_status(code)}", flush=True)
    return 0


# ---------------------------------------------------------------- the test's side


@dataclass
class Child:
    server: ForkServer
    pid: int
    tag: str
    lines: list[str] = field(default_factory=list)  # what it printed, in order
    code: int | None = None  # once it ended

    def readline(self) -> str:
        """The child's next line of output ('' once it ended without another)."""
        while not self.lines and self.code is None:
            self.server._read_one()
        return self.lines.pop(0) if self.lines else ""

    def wait(self) -> int:
        while self.code is None:
            self.server._read_one()
        return self.code


class ForkServer:
    """``with ForkServer("iku_pipeline_tests.publisher_child") as fork: child =
    fork.start(argv)``. Lines a child prints are told apart by the one child running
    at a time; with several at once, only their ends (``Child.wait``) are reliable."""

    def __init__(self, module: str):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "iku_pipeline_tests.forking", module],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
            start_new_session=True,
        )  # fmt: skip
        self._children: dict[int, Child] = {}
        self._pending: list[Child] = []  # started, pid line not read yet
        self._last: Child | None = None
        ready = self.proc.stdout.readline()
        if ready.strip() != "ready":
            self.close()
            raise RuntimeError(f"fork server did not start: {ready!r}")

    def start(self, argv: list[str], tag: str = "", stderr: str | None = None) -> Child:
        request = {"tag": tag, "argv": [str(a) for a in argv], "stderr": stderr}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("fork server ended")
            if line.startswith("pid ") and line.split(" ", 2)[2].rstrip("\n") == tag:
                child = Child(self, int(line.split()[1]), tag)
                self._children[child.pid] = child
                self._last = child
                return child
            self._dispatch(line)

    def _read_one(self) -> None:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("fork server ended")
        self._dispatch(line)

    def _dispatch(self, line: str) -> None:
        if line.startswith("exit "):
            _, pid, code = line.split()
            child = self._children.pop(int(pid), None)
            if child is not None:
                child.code = int(code)
            return
        if self._last is not None and self._last.code is None:
            self._last.lines.append(line.rstrip("\n"))

    def close(self) -> None:
        if self.proc.stdin and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self.proc.stdout.close()

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1]))
