"""Every join rule (``*_table`` or ``*_tables`` over per-case or per-shard tables).

Each named input is a list of tables; each is concatenated, in input order, into the output of
the same name (:func:`landscape.base.io.join_tables`). Used by dauphin_table,
deep_linear_optimum_table, index_vs_loss_table, linear_ae_pinv_sweep, published_runs_table,
relu_spurious_table and training_plateaus_tables.
"""

from landscape.base.io import join_tables
from landscape.base.runlog import logged

with logged(snakemake.log[0], snakemake.rule) as log:
    join_tables(snakemake.input, snakemake.output, log.info)
