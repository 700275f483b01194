"""The unit of work every use case opens, for the features to extend with their repositories.

It is defined with the network's repositories in `domain.network.ports`.
"""

from __future__ import annotations

from domain.network.ports import AuditLog as AuditLog
from domain.network.ports import UnitOfWork as UnitOfWork
from domain.network.ports import UnitOfWorkFactory as UnitOfWorkFactory
