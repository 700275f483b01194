"""What the features share: origin and update claim, audit, roles and standing, the tree walk,
calendar, quantities.

The kernel imports no feature package (lint-imports: "The kernel imports no feature").
"""
