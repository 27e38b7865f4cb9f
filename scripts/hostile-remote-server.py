#!/usr/bin/env python3
"""A hostile "OpenAI-compatible" server for scripts/hostile-probe.sh: what a remote
backend (promptstudio-cli run --remote) may meet from a broken or malicious server.

Usage: hostile-remote-server.py PORT_FILE
Listens on 127.0.0.1 (any free port, written to PORT_FILE) until killed. The first
path segment picks the behaviour, so one server serves every case:
http://127.0.0.1:PORT/MODE/v1 is the base URL of the server MODE.
"""
import json
import socketserver
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

MODELS = json.dumps({"object": "list", "data": [{"id": "hostile", "object": "model"}]}).encode()
ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[31m"


def chunk(text):
    return ("data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": text}, "text": text}]})
            + "\n\n").encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # bodies end when the connection closes

    def log_message(self, *args):
        pass

    def head(self, status=200, content_type="text/event-stream", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()

    def send_forever(self, piece, seconds=30):
        end = time.time() + seconds
        while time.time() < end:
            self.wfile.write(piece)

    def do_GET(self):
        mode = self.path.split("/")[1]
        try:
            if mode == "garbage-models":
                self.head(200, "application/json")
                self.wfile.write(("not json " + ESCAPES).encode())
            elif mode == "endless-models":
                self.head(200, "application/json")
                self.wfile.write(b'{"data":[')
                self.send_forever(b'{"id":"m"},' * 1000)
            elif mode == "many-models":
                self.head(200, "application/json")
                self.wfile.write(json.dumps({"data": [{"id": "m%d" % i} for i in range(100000)]}).encode())
            elif mode == "models-error":
                self.head(500, "application/json")
                self.wfile.write(json.dumps({"error": {"message": ESCAPES + "boom" + "x" * 100000}}).encode())
            elif mode == "redirect-loop":
                self.send_response(302)
                self.send_header("Location", self.path)
                self.end_headers()
            else:
                self.head(200, "application/json")
                self.wfile.write(MODELS)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_POST(self):
        mode = self.path.split("/")[1]
        length = int(self.headers.get("Content-Length", "0") or 0)
        self.rfile.read(min(length, 1 << 20))
        try:
            if mode == "endless-text":  # ignores max_tokens
                self.head()
                self.send_forever(chunk("x") * 100)
            elif mode == "endless-event":  # data lines, never the blank line that ends the event
                self.head()
                self.send_forever(b"data: " + b"x" * 65536 + b"\n")
            elif mode == "endless-body":  # "stream" ignored, and an answer without end
                self.head(200, "application/json")
                self.wfile.write(b'{"choices":[{"text":"')
                self.send_forever(b"x" * 65536)
            elif mode == "bad-events":
                self.head()
                for data in [b"{", b"[]", b'{"choices": 5}', b'{"choices": [{"delta": 7}]}', b"[" * 100000,
                             b'{"choices":[{"delta":{"content":"' + ESCAPES.encode() + b'"}}]}',
                             b'{"error": {"message": "' + ESCAPES.encode() + b'"}}']:
                    self.wfile.write(b"data: " + data + b"\n\n")
            elif mode == "garbage-answer":
                self.wfile.write(b"\x1b[2J this is not HTTP\r\n\r\n")
            elif mode == "status-500":
                self.head(500, "application/json", [("Retry-After", ESCAPES * 1000)])
                self.wfile.write(json.dumps({"error": {"message": ESCAPES + "x" * 100000}}).encode())
            elif mode == "status-429":
                self.head(429, "text/plain", [("Retry-After", "9" * 5000)])
                self.wfile.write(b"slow down")
            elif mode == "json-garbage":
                self.head(200, "application/json")
                self.wfile.write(b'{"choices": [' * 50000)
            elif mode == "done-at-once":
                self.head()
                self.wfile.write(b"data: [DONE]\n\n")
            else:
                self.head()
                self.wfile.write(chunk("ok") + b"data: [DONE]\n\n")
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True


def main():
    server = Server(("127.0.0.1", 0), Handler)
    with open(sys.argv[1], "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
