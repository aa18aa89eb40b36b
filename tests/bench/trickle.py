"""The slow-client attack of the slowclients bench scenario (scripts/bench.sh):
CONNECTIONS connections to HOST:PORT from SOURCE (another loopback address than
the measured client's), each sending a request's header block one short line
every EVERY seconds and never ending it; a connection the server cuts or
refuses is opened again a second later. Runs SECONDS seconds, then prints one line:
"trickle: C connections at most, O opens, K cut or refused"."""
import asyncio
import sys


async def one(host, port, source, every, stats, stop):
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
        except OSError:
            stats["cut"] += 1
            await asyncio.sleep(1)
            continue
        stats["opens"] += 1
        stats["open"] += 1
        stats["most"] = max(stats["most"], stats["open"])
        try:
            writer.write(b"GET /api/v1/assets HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            await writer.drain()
            n = 0
            while not stop.is_set():
                try:
                    got = await asyncio.wait_for(reader.read(1024), timeout=every)
                    if not got:
                        break  # the server closed it
                except asyncio.TimeoutError:
                    pass
                n += 1
                writer.write(b"X-Slow-%d: x\r\n" % n)
                await writer.drain()
        except OSError:
            pass
        finally:
            stats["open"] -= 1
            stats["cut"] += 0 if stop.is_set() else 1
            writer.close()
        if not stop.is_set():
            await asyncio.sleep(1)  # then again


async def main(host, port, source, count, every, seconds):
    stats = {"opens": 0, "open": 0, "most": 0, "cut": 0}
    stop = asyncio.Event()
    tasks = [asyncio.create_task(one(host, port, source, every, stats, stop))
             for _ in range(count)]
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.wait(tasks, timeout=10)
    print(f"trickle: {stats['most']} connections at most, {stats['opens']} opens,"
          f" {stats['cut']} cut or refused", flush=True)


if __name__ == "__main__":
    h, p, src, n, ev, secs = sys.argv[1:7]
    asyncio.run(main(h, int(p), src, int(n), float(ev), float(secs)))
