#!/usr/bin/env python3
"""Writes a release whose one task manifest is about 50 MB (issue 13 item 9), for
`/usr/bin/time -v quickup validate|plan --release DIR`. Generated at run time, never committed.

    scripts/bench/huge-manifest.py DIR valid     # tasks sharing one script
    scripts/bench/huge-manifest.py DIR missing   # every task names a missing file
    [--mb 50]

One component `huge` (MariaDB datasource), one version V1.0.1, four lines per task:
sql.task_NNNNNNN.{id,description,file,stage}.
"""
import argparse
import os

parser = argparse.ArgumentParser()
parser.add_argument("dir")
parser.add_argument("kind", choices=["valid", "missing"])
parser.add_argument("--mb", type=float, default=50.0)
args = parser.parse_args()

root = args.dir
version = os.path.join(root, "huge", "upgrade", "V1.0.1")
os.makedirs(os.path.join(version, "sql"), exist_ok=True)
with open(os.path.join(root, "release.yaml"), "w") as f:
    f.write("name: huge\nupgrades_from: V1.0.0~V1.0.0\ncomponents: [huge]\n")
with open(os.path.join(root, "huge", "component.yaml"), "w") as f:
    f.write("plugin_class: business\ndatasources:\n  - name: huge_db\n    type: mariadb\n")
with open(os.path.join(version, "sql", "shared.sql"), "w") as f:
    f.write("CREATE TABLE IF NOT EXISTS huge_t (id INT PRIMARY KEY);\n")

limit = int(args.mb * 1024 * 1024)
stages = ["pre_stop", "in_stop", "post_start", "post_upgrade"]
written = 0
tasks = 0
with open(os.path.join(version, "upgrade_tasks_V1.0.1.properties"), "w", encoding="utf-8") as f:
    while written < limit:
        uid = "task_%07d" % tasks
        script = "sql/shared.sql" if args.kind == "valid" else "sql/missing_%07d.sql" % tasks
        block = (f"sql.{uid}.id=HUGE-{tasks}\n"
                 f"sql.{uid}.description=Generated task {tasks} of a huge manifest\n"
                 f"sql.{uid}.file={script}\n"
                 f"sql.{uid}.stage={stages[tasks % 4]}\n")
        f.write(block)
        written += len(block.encode())
        tasks += 1
print(f"{tasks} tasks, {written} bytes in {version}")
