"""Rule ``training_plateaus_networks_case``: train one shard, keep the points where it stalled."""

from landscape.base.io import save_checkpoint, write_table
from landscape.base.runlog import logged
from landscape.engine.data import load_dataset
from landscape.engine.device import resolve_device
from landscape.experiments.training_plateaus.training_plateaus import PlateauOptions, train_shard

with logged(snakemake.log[0], snakemake.rule) as log:
    opts = PlateauOptions.from_config(snakemake.params.options)
    device = resolve_device(snakemake.params.device)
    ds = load_dataset(snakemake.input.data)
    checkpoint, history = train_shard(ds, opts, int(snakemake.wildcards.shard), device, log.info)
    save_checkpoint(checkpoint, snakemake.output.networks)
    write_table(history, snakemake.output.history)
