"""What reaches stdout at the end of a command: whether its reader went away (`check -v | head`), and the last
flush, done as the interpreter's own exit does it (cli.run ends the process without that exit)."""

from __future__ import annotations

import contextlib
import os
import sys


EXIT_PIPE_CLOSED = 128 + 13  # 128 + SIGPIPE, as a shell reports `git log | head`


def stdout_closed() -> bool:
    """Whether stdout is a pipe whose reader has gone (the write end then polls as an error)."""
    try:
        import select

        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):  # no poll (Windows), or no real stdout (an embedding process)
        return False


def drop_stdout() -> None:
    """Point stdout at /dev/null, so that what is still buffered for a closed pipe is not written at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass  # no real stdout (an embedding process): nothing will be flushed to the pipe


def flushed(code: int) -> int:
    """Flush stdout and stderr as the interpreter's exit would, and the exit status it would then give."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with the descriptor closed (`>&-`)
            continue
        try:
            stream.flush()
        except BrokenPipeError:
            if stream is sys.stdout:
                drop_stdout()
                code = EXIT_PIPE_CLOSED  # the reader went away (`| head`), as in main
        except ValueError:
            pass  # closed by the program itself: nothing was pending
        except OSError as exc:  # e.g. a full disk under `> report.txt`: what was printed is lost, so say so
            if stream is sys.stdout and sys.stderr is not None:
                with contextlib.suppress(OSError, ValueError):
                    print(f"error: the output could not be written: {exc.strerror or exc}", file=sys.stderr)
                    sys.stderr.flush()
            code = 120  # the interpreter's status when flushing at exit fails
    return code
