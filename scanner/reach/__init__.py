"""Which zones (and the internet) can really reach each workload, on which ports, and why.

`Reachability` is what checks and commands read (AuditContext.reach); scanner.reach.pair
evaluates one flow and holds what engines share; scanner.reach.engine is the estate-wide
engine (docs/engine.md says how it works and why it stays near-linear).
"""
from scanner.reach.engine import Reachability
from scanner.reach.pair import UNZONED, Access, Cause, Flow

__all__ = ["Reachability", "Access", "Cause", "Flow", "UNZONED"]
