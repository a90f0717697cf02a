#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Render what a serial console printed as a terminal would show it: the bytes of LOG from
offset START on, fed to a COLSxROWS VT100/xterm emulator (pyte, Debian's python3-pyte). The
boot tests use it to take screen captures of full-screen programs (axvm-top) that dom0 runs on
the serial line. Prints the screen's rows, trailing blanks trimmed.
Usage: screen.py LOG START COLS ROWS"""
import sys

import pyte


def main():
    log, start, cols, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    screen = pyte.Screen(cols, rows)
    stream = pyte.ByteStream(screen)
    with open(log, "rb") as f:
        f.seek(start)
        stream.feed(f.read())
    for line in screen.display:
        print(line.rstrip())


if __name__ == "__main__":
    main()
