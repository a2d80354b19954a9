"""bulletin-site: a static, bilingual archive of the CEPA bulletin.

The data's journey, one module per stage:
read → parse (bulletin / plan / page) → clean → convert → render → write → search,
driven by ``pipeline.build``.
"""

__version__ = "0.1.0"
