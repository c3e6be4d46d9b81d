"""The official Excel tables (seed 004, 附件1–3) both ways: export in the offices' layout, import as people fill them."""
