"""Console capture: what the process prints through sys.stdout and sys.stderr, still shown on the terminal.

The streams are wrapped, not redirected: output that bypasses them (C extensions writing to file descriptor 1 or
2, subprocesses) is shown but not captured.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any, Callable, List, Optional

MAX_LINE_LENGTH = 16_384  # characters; the server's limit per line
MAX_LINES = 100_000  # per run; the server drops lines numbered beyond


def cut(text: str) -> str:
    """The text as the server stores it: longer lines cut with a marker, NUL and lone surrogates replaced."""
    text = text.replace("\0", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    if len(text) <= MAX_LINE_LENGTH:
        return text
    marker = f" … [cut: {len(text)} characters]"
    return text[:MAX_LINE_LENGTH - len(marker)] + marker


def console_setting(value: Optional[bool]) -> bool:
    """Whether to capture: `value`, or when None $TRACKSTACK_CONSOLE (on unless "0", "false", "off", "no")."""
    if value is not None:
        return bool(value)
    return os.environ.get("TRACKSTACK_CONSOLE", "").strip().lower() not in ("0", "false", "off", "no")


class _Tee:
    """Stands in for sys.stdout or sys.stderr: writes go on to the original stream, and whole lines to `emit`."""

    def __init__(self, original: Any, stream: str, emit: Callable[[str, str], None]) -> None:
        self._original = original
        self._stream = stream
        self._emit = emit
        # The unfinished line's pieces: print() writes each argument on its own. Appending takes no lock (one
        # list.append is atomic); taking pieces off (a line break) does, and leaves pieces appended meanwhile.
        self._partial: List[str] = []
        self._lock = threading.Lock()
        self._inside = threading.local()  # a write made while emitting (a warning about the queue) is not captured
        self.active = True

    def write(self, text: str) -> int:
        written = self._original.write(text)
        if "\n" not in text:  # the common case first: print() writes each argument apart, the line break last
            if self.active and "\r" in text:  # a progress bar redraws: what came before is gone
                with self._lock:
                    self._partial[:] = [text[text.rfind("\r") + 1:]]
            elif self.active:
                self._partial.append(text)
            return written
        if not self.active or getattr(self._inside, "value", False):
            return written
        self._inside.value = True
        try:
            with self._lock:
                pieces = len(self._partial)
                lines = ("".join(self._partial[:pieces]) + text).split("\n")
                del self._partial[:pieces]
                last = lines.pop()
                if last:
                    self._partial.insert(0, last)
            for line in lines:
                self._emit(self._stream, _last_rendering(line))
        finally:
            self._inside.value = False
        return written

    def writelines(self, lines: List[str]) -> None:
        for line in lines:
            self.write(line)

    def finish(self) -> None:
        """Emits an unfinished last line and stops capturing."""
        with self._lock:
            self.active = False
            partial = _last_rendering("".join(self._partial))
            self._partial.clear()
        if partial:
            self._emit(self._stream, partial)

    def __getattr__(self, name: str) -> Any:  # fileno, isatty, flush, encoding, buffer, ...
        return getattr(self._original, name)


def _last_rendering(line: str) -> str:
    """A progress bar redraws its line after a carriage return: only what was drawn last is kept."""
    return line[line.rfind("\r") + 1:] if "\r" in line else line


class ConsoleCapture:
    """Wraps sys.stdout and sys.stderr until stop(); numbers the lines of both streams in one sequence from
    `first_line` and hands each to `send(line_number, stream, text, unix_time)`, as written (see `cut`)."""

    def __init__(self, send: Callable[[int, str, str, float], None], first_line: int = 0) -> None:
        self._send = send
        self._next_line = first_line
        self._lock = threading.Lock()
        self._stdout = _Tee(sys.stdout, "STDOUT", self._emit)
        self._stderr = _Tee(sys.stderr, "STDERR", self._emit)
        sys.stdout, sys.stderr = self._stdout, self._stderr

    def _emit(self, stream: str, text: str) -> None:
        with self._lock:
            number = self._next_line
            if number >= MAX_LINES:
                return
            self._next_line += 1
            self._send(number, stream, text, time.time())

    def stop(self) -> None:
        """Puts the original streams back, unless someone replaced ours meanwhile (then ours just pass through)."""
        for tee, name in ((self._stdout, "stdout"), (self._stderr, "stderr")):
            tee.finish()
            if getattr(sys, name) is tee:
                setattr(sys, name, tee._original)
