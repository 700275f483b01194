"""What the features share: origin and update claim, audit, standing, calendar, quantities.

The kernel imports no feature package (lint-imports: "The kernel imports no feature").
"""
