"""The registry of instance generators: an explicit name -> generator mapping (read with ``generators()``)."""

from __future__ import annotations

from types import MappingProxyType

from optolab.synth.generators.base import Generator
from optolab.synth.generators.covering import SetCover
from optolab.synth.generators.logistics import Assignment, FacilityLocation, Transportation
from optolab.synth.generators.networks import MaxFlow, MinCostFlow, ShortestPath
from optolab.synth.generators.nonlinear import EconomicOrderQuantity, Portfolio, Pricing
from optolab.synth.generators.packing import BinPacking, CuttingStock, Knapsack
from optolab.synth.generators.planning import Blending, LotSizing, ProductionPlanning
from optolab.synth.generators.scheduling import MachineScheduling, ShiftScheduling, UnitCommitment

REGISTRY: MappingProxyType[str, Generator] = MappingProxyType({
    "knapsack": Knapsack(),
    "bin_packing": BinPacking(),
    "cutting_stock": CuttingStock(),
    "transportation": Transportation(),
    "assignment": Assignment(),
    "facility_location": FacilityLocation(),
    "min_cost_flow": MinCostFlow(),
    "shortest_path": ShortestPath(),
    "max_flow": MaxFlow(),
    "set_cover": SetCover(),
    "production_planning": ProductionPlanning(),
    "lot_sizing": LotSizing(),
    "blending": Blending(),
    "machine_scheduling": MachineScheduling(),
    "shift_scheduling": ShiftScheduling(),
    "unit_commitment": UnitCommitment(),
    "portfolio": Portfolio(),
    "eoq": EconomicOrderQuantity(),
    "pricing": Pricing(),
})

