#!/usr/bin/env python3
"""A minimal SMTP sink (not GreenMail): stores each accepted message as NNNNNN.eml in a
directory, with its envelope (MAIL FROM, RCPT TO, peer, time) in NNNNNN.json beside it.

  python3 smtp_sink.py --port 2525 --dir /tmp/mail [--reject-rcpt bounce@example.com]
                       [--tempfail-rcpt later@example.com]

--reject-rcpt answers RCPT TO for that address with 550 (permanent); --tempfail-rcpt with 451.
"""
import argparse, asyncio, itertools, json, os, time

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=2525)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--reject-rcpt", action="append", default=[])
    ap.add_argument("--tempfail-rcpt", action="append", default=[])
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    start = len([f for f in os.listdir(a.dir) if f.endswith(".eml")])
    seq = itertools.count(start + 1)
    stats = {"connections": 0, "messages": 0}

    async def handle(reader, writer):
        stats["connections"] += 1
        peer = writer.get_extra_info("peername")
        def send(line):
            writer.write(line.encode() + b"\r\n")
        send("220 accept-sink ESMTP ready")
        mail_from, rcpts = None, []
        try:
            while True:
                raw = await reader.readline()
                if not raw:
                    break
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                verb = line[:4].upper()
                if verb == "EHLO":
                    send("250-accept-sink"); send("250-8BITMIME"); send("250 SIZE 104857600")
                elif verb == "HELO":
                    send("250 accept-sink")
                elif verb == "MAIL":
                    mail_from, rcpts = line[10:].strip(), []
                    send("250 2.1.0 OK")
                elif verb == "RCPT":
                    addr = line[8:].strip()
                    bare = addr.strip("<>").split(">")[0].lower()
                    if bare in a.reject_rcpt:
                        send("550 5.1.1 <%s>: mailbox unavailable (accept-sink reject)" % bare)
                    elif bare in a.tempfail_rcpt:
                        send("451 4.3.0 <%s>: try again later (accept-sink tempfail)" % bare)
                    else:
                        rcpts.append(addr); send("250 2.1.5 OK")
                elif verb == "DATA":
                    if not rcpts:
                        send("503 5.5.1 no valid recipients"); continue
                    send("354 end with <CRLF>.<CRLF>")
                    await writer.drain()
                    chunks = []
                    while True:
                        l = await reader.readline()
                        if not l:
                            raise ConnectionError("eof in DATA")
                        if l in (b".\r\n", b".\n"):
                            break
                        if l.startswith(b".."):
                            l = l[1:]
                        chunks.append(l)
                    n = next(seq)
                    base = os.path.join(a.dir, "%06d" % n)
                    with open(base + ".eml", "wb") as f:
                        f.write(b"".join(chunks))
                    with open(base + ".json", "w") as f:
                        json.dump({"mail_from": mail_from, "rcpt_to": rcpts, "peer": str(peer),
                                   "received": time.time()}, f)
                    stats["messages"] += 1
                    send("250 2.0.0 queued as %06d" % n)
                    mail_from, rcpts = None, []
                elif verb == "RSET":
                    mail_from, rcpts = None, []; send("250 2.0.0 OK")
                elif verb == "NOOP":
                    send("250 2.0.0 OK")
                elif verb == "QUIT":
                    send("221 2.0.0 bye"); await writer.drain(); break
                else:
                    send("502 5.5.2 command not implemented")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def serve():
        server = await asyncio.start_server(handle, a.host, a.port, limit=16 * 1024 * 1024)
        print("accept-sink listening on %s:%d, storing in %s" % (a.host, a.port, a.dir), flush=True)
        async with server:
            await server.serve_forever()
    asyncio.run(serve())

if __name__ == "__main__":
    main()
