"""Rule ``published_runs_case``: one shard of Pennington & Bahri's runs at one phi, every index."""

from landscape.base.io import write_table
from landscape.base.options import Numerics
from landscape.base.runlog import logged
from landscape.engine.critical import with_decision_columns
from landscape.engine.device import keep_freed_memory, resolve_device
from landscape.engine.shallow_tanh_search import GradNormDescentOptions
from landscape.experiments.index_fit.published_runs import (
    RUN_COLUMNS,
    PublishedRunsOptions,
    published_runs,
    shard_count,
)

with logged(snakemake.log[0], snakemake.rule) as log:
    options = PublishedRunsOptions.from_config(snakemake.params.published)
    search = GradNormDescentOptions.from_config(snakemake.params.published)
    numerics = Numerics.from_config(snakemake.params.numerics)
    phi = options.phis[int(snakemake.wildcards.phi_index)]
    device = resolve_device(snakemake.params.device)
    log.info("freed memory kept in the heap (glibc mallopt): %s", keep_freed_memory())
    log.info("phi = %g, %s; search %s; device %s", phi, options, search, device)
    shard = int(snakemake.wildcards.shard)
    log.info("shard %d of %d", shard, shard_count(options))
    table = published_runs(phi, options, search, numerics, log.info, device, shard)
    log.info(
        "%d runs: %d reached their level, %d under the cutoff %g, %d certified after the polish",
        len(table),
        int(table["reached_level"].sum()),
        int(table["kept"].sum()),
        search.cutoff,
        int((table["status"] == "critical").sum()),
    )
    write_table(with_decision_columns(table[RUN_COLUMNS], numerics), snakemake.output[0])
