#!/usr/bin/python3
"""systemd's part in socket activation, for SocketActivationTest: Java cannot hand a child process a descriptor.

    socket-activate.py NAMES RUNS COMMAND...

Listens on 127.0.0.1 at a free port for each name in NAMES (colon-separated, as LISTEN_FDNAMES), prints
"sockets NAME=PORT ...", then RUNS times in a row starts COMMAND with the sockets as descriptors 3, 4, ... and
LISTEN_FDS, LISTEN_PID (the child's own pid) and LISTEN_FDNAMES set, as systemd does (sd_listen_fds(3)), and waits
for it: "started PID" and "exited PID STATUS". It keeps the sockets open in between, as systemd keeps a .socket
unit's, so a connection made while no child runs waits in the backlog.
"""
import fcntl
import os
import socket
import sys

names = sys.argv[1].split(":")
runs = int(sys.argv[2])
command = sys.argv[3:]

sockets = []
for name in names:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    sockets.append(s)
print("sockets " + " ".join("%s=%d" % (n, s.getsockname()[1]) for n, s in zip(names, sockets)), flush=True)

for run in range(runs):
    pid = os.fork()
    if pid == 0:
        # Out of the way first, so that placing one at 3 cannot overwrite another that happens to be there.
        high = [fcntl.fcntl(s.fileno(), fcntl.F_DUPFD, 100) for s in sockets]
        for i, fd in enumerate(high):
            os.dup2(fd, 3 + i)  # inheritable, unlike Python's own descriptors
            os.close(fd)
        env = dict(os.environ)
        env.update(LISTEN_FDS=str(len(sockets)), LISTEN_PID=str(os.getpid()), LISTEN_FDNAMES=":".join(names))
        os.execve(command[0], command, env)
    print("started %d" % pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print("exited %d %d" % (pid, os.waitstatus_to_exitcode(status)), flush=True)
