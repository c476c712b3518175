"""Reading an import's files in a second process while this one writes.

Reading and writing each take about half the time of a large import, and a
machine has more than one core: a child process runs the format readers
over every file, in order, and sends their records a chunk at a time
through a pipe, while the parent writes the chunks before. The child gets
at most a few chunks ahead (`PARTS_AHEAD`), so memory stays flat.

The child never touches the database: the parent alone writes, in its one
transaction. An error in the child is raised in the parent; an error in
the parent, or a Ctrl-C (which the child ignores, so that one process
decides), stops the child. Either way nothing is written.

A process is worth starting only for large imports, and only where `fork`
starts one at once, with the readers already imported (Linux).
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import queue
import signal
import sys
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import TracebackType

from data.importing.chunks import Part
from data.importing.report import ImportFailure
from data.importing.source import Progress

# Below this many bytes of input, starting a process costs more than it saves.
READ_AHEAD_BYTES = 4 << 20
# Parts the child may have read before the parent takes them: enough to
# keep it busy through the writing of a large batch, each about a megabyte.
PARTS_AHEAD = 8
# How long a stopped child may take to go before it is killed.
STOP_SECONDS = 5.0

Producer = Callable[[Progress], Generator[Part, None, int]]
"""Reads every file, telling `Progress`, in parts; returns the lines read."""


def worth_reading_ahead(total_bytes: int) -> bool:
    """Whether an import of this many bytes should read in a child process."""
    return sys.platform == "linux" and total_bytes >= READ_AHEAD_BYTES


@dataclass(frozen=True, slots=True)
class _Finished:
    """The child read everything: the lines it read, and the bytes."""

    lines_read: int
    done: int


@dataclass(frozen=True, slots=True)
class _Failed:
    """The child stopped on an error, raised again in the parent."""

    error: BaseException


class ReadAhead:
    """The parts a producer yields, made in a child process.

    A context manager: entering starts the child, leaving stops it. Iterate
    over it for the parts; then `lines_read` and `done` hold what the
    producer returned and the bytes it read.
    """

    def __init__(self, produce: Producer, total_bytes: int) -> None:
        self.lines_read = 0
        self.done = 0
        context = multiprocessing.get_context("fork")
        self._receive, self._send = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_child,
            args=(produce, total_bytes, self._send, self._receive),
            daemon=True,
        )

    def __enter__(self) -> ReadAhead:
        # Blocked until the child has chosen to ignore it, so that a Ctrl-C
        # just as it starts reaches the parent only.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self._process.start()
            self._send.close()
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __iter__(self) -> Iterator[Part]:
        while True:
            try:
                message = self._receive.recv()
            except EOFError:
                raise ImportFailure(self._died()) from None
            if isinstance(message, _Finished):
                self.lines_read, self.done = message.lines_read, message.done
                return
            if isinstance(message, _Failed):
                raise message.error
            yield message

    def has_part_waiting(self) -> bool:
        """Whether the child has sent more than has been taken so far."""
        return self._receive.poll()

    def close(self) -> None:
        """Stop the child if it still runs, and wait for it to go."""
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        self._send.close()
        self._receive.close()
        if self._process.pid is None:
            return
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(STOP_SECONDS)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._process.close()

    def _died(self) -> str:
        """Why the child went without a word: its exit status."""
        self._process.join(STOP_SECONDS)
        return (
            "the process reading the input files stopped unexpectedly "
            f"(exit status {self._process.exitcode}); nothing was imported"
        )


def _child(
    produce: Producer, total_bytes: int, send: Connection, parents_end: Connection
) -> None:
    """Run the producer, sending each part, then how it ended.

    Parts wait in a short queue for a thread that sends them, so that the
    producer goes on while the parent is busy writing a large batch.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    # Held open here, the parent's end would keep the pipe from breaking
    # when the parent dies, and the child would wait on it for ever.
    parents_end.close()
    # Reading makes no reference cycles, and the parent's objects, its
    # database connection among them, must never be finalised here.
    gc.disable()
    outbox: queue.Queue[bytes | None] = queue.Queue(PARTS_AHEAD)
    sender = threading.Thread(target=_send_all, args=(outbox, send), daemon=True)
    sender.start()
    for message in _messages(produce, Progress(total_bytes, None)):
        if not _post(outbox, pickle.dumps(message, pickle.HIGHEST_PROTOCOL), sender):
            return
    _post(outbox, None, sender)
    sender.join()


def _post(
    outbox: queue.Queue[bytes | None], data: bytes | None, sender: threading.Thread
) -> bool:
    """Queue `data` for the sender; False once the sender has stopped."""
    while sender.is_alive():
        try:
            outbox.put(data, timeout=1.0)
        except queue.Full:
            continue
        return True
    return False


def _send_all(outbox: queue.Queue[bytes | None], send: Connection) -> None:
    """Send what is queued until the end (None) or until the parent goes."""
    try:
        while (data := outbox.get()) is not None:
            send.send_bytes(data)
    except OSError:
        # The parent closed the pipe: it stopped, and wants nothing more.
        return
    finally:
        send.close()


def _messages(
    produce: Producer, progress: Progress
) -> Iterator[Part | _Finished | _Failed]:
    """The producer's parts, then how it ended, its errors included."""
    try:
        lines_read = yield from produce(progress)
    except Exception as error:
        yield _Failed(_picklable(error))
        return
    yield _Finished(lines_read, progress.done)


def _picklable(error: Exception) -> Exception:
    """The error itself when it pickles, or else one in words."""
    try:
        pickle.dumps(error)
    except Exception:
        return RuntimeError(f"reading the input files failed: {error!r}")
    return error
