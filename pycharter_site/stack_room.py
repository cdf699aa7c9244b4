"""Room on the interpreter's stack for each request (CPython before 3.13).

CPython 3.11 keeps Python frames in 16 KB chunks and unmaps a chunk as soon as the frame
that opened it returns. A request whose calls go up and down across a chunk's edge maps and
unmaps that chunk each time: on a contract's page, some 1,500 mmap/munmap pairs, a third of
the request's CPU spent in the kernel (CPython issue gh-142183, fixed in 3.13 by keeping one
spare chunk). `call_with_stack_room` calls through a frame that reserves 64 KB: its chunk
is opened once, and the whole request runs inside it.
"""

import sys

RESERVED_SLOTS = 8192  # 64 KB of 8-byte slots, beyond any chunk's 16 KB


def _call(function, *args):
    return function(*args)


if sys.version_info < (3, 13):
    _call.__code__ = _call.__code__.replace(co_stacksize=RESERVED_SLOTS)


def call_with_stack_room(function, *args):
    """`function(*args)`, run in a stack chunk of its own with room for deep calls."""
    return _call(function, *args)
