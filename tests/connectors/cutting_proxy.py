"""A TCP proxy on 127.0.0.1 that cuts connections mid-response: a real network failure for
the connectors' retry and nothing-half-loaded tests (real sockets, no mocks).

While `cuts` is above zero, a response that grows past `cut_after` bytes is cut there (both
sockets closed) and `cuts` goes down by one; small responses (listings, manifests) pass.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class CuttingProxy:
    def __init__(self, upstream_port: int, cut_after: int = 64_000) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.cut_after = cut_after
        self.cuts = 0
        self.cut_count = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.upstream)
            threading.Thread(target=self._pipe, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, True), daemon=True).start()

    def _take_cut(self) -> bool:
        with self._lock:
            if self.cuts > 0:
                self.cuts -= 1
                self.cut_count += 1
                return True
            return False

    def _pipe(self, src: socket.socket, dst: socket.socket, response: bool) -> None:
        sent = 0
        try:
            while data := src.recv(16384):
                if response and sent + len(data) > self.cut_after and self._take_cut():
                    dst.sendall(data[: max(0, self.cut_after - sent)])
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for sock in (src, dst):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def stop(self) -> None:
        self._stopped = True
        self._listener.close()
