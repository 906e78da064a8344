"""Turns a mailferry --json summary and a `/usr/bin/time -v` report into one table row."""
import json
import re
import sys


def timing(path):
    text = open(path).read()
    wall = text.split("Elapsed (wall clock) time (h:mm:ss or m:ss): ")[1].split("\n")[0]
    seconds = sum(float(part) * 60 ** index for index, part in enumerate(reversed(wall.split(":"))))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", text).group(1)) for kind in ("User", "System"))
    return seconds, cpu, rss


def main(kind, *args):
    if kind == "pull-header":
        print(f'{"pass":<12} {"messages":>9} {"MB":>10} {"seconds":>9} {"msg/s":>10} {"MB/s":>8} {"CPU s":>7} {"RSS MB":>9}  archive')
    elif kind == "migrate-header":
        print(f'{"pass":<12} {"pulled":>7} {"pushed":>7} {"MB":>9} {"seconds":>9} {"msg/s":>8} {"MB/s":>8} {"CPU s":>7} {"RSS MB":>8} {"rounds":>7}')
    elif kind == "pull":
        label, summary_path, time_path = args
        summary = json.load(open(summary_path))
        seconds, cpu, rss = timing(time_path)
        mb = summary["bytes"] / 1e6
        print(f'{label:<12} {summary["messages"]:>9} {mb:>10.1f} {seconds:>9.2f} {summary["messages"] / seconds:>10.0f} '
              f'{mb / seconds:>8.1f} {cpu:>7.1f} {rss:>9.1f}  {summary.get("archive") or "-"}')
    elif kind == "migrate":
        label, summary_path, time_path = args
        summary = json.load(open(summary_path))
        seconds, cpu, rss = timing(time_path)
        pulled, pushed = summary["pull"]["messages"], summary["push"]["uploaded"]
        mb = summary["pull"]["bytes"] / 1e6
        print(f'{label:<12} {pulled:>7} {pushed:>7} {mb:>9.1f} {seconds:>9.2f} {max(pulled, pushed) / seconds:>8.0f} '
              f'{mb / seconds:>8.1f} {cpu:>7.1f} {rss:>8.1f} {summary["pushRounds"]:>7}')


if __name__ == "__main__":
    main(*sys.argv[1:])
