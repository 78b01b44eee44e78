"""Mechanical fixes of LLM-written Pyomo code, made on its syntax tree before it runs (``fix_tree``).

Each fix repairs one slip that small coder models make again and again (seen in the evaluation
trails) and that needs no model call to mend. They live by what they mend: names
(:mod:`optolab.agents.namefix`), constraints (:mod:`optolab.agents.constraintfix`), domains
(:mod:`optolab.agents.domainfix`), keys, indexes and sums (:mod:`optolab.agents.indexing`), table data read in
the wrong key order (:mod:`optolab.agents.datakeys`); what they read of the code is in
:mod:`optolab.agents.codeast`. Each one says what it changed, in words for the trail.
"""

from __future__ import annotations

import ast

from optolab.agents.codeast import nonnegative_variables, variable_names
from optolab.agents.constraintfix import (
    ClearRatios, UnrollAdds, add_keywords, bounds_on_variables, chained_relations, constraint_lists,
    constraints_indexed_by_a_variable, joined_relations, positional_expressions, repeated_constraint_names,
    limit_times_each_term, strict_inequalities, unindex_single_constraints,
)
from optolab.agents.datakeys import fix_data_keys
from optolab.agents.domainfix import binary_counts, domain_typos, one_domain
from optolab.agents.indexing import (
    SumOfMany, SumOfOne, case_keys, join_chained_indexes, key_lists_by_names, padded_keys,
    scalars_used_with_keys, split_joined_loops, sum_methods, sum_stray_loop_names, unknown_variable_methods,
)
from optolab.agents.namefix import (
    attach_free_components, create_missing_model, early_aliases, fix_undefined_names, math_on_variables,
    rename_block_attributes, rename_reserved,
)


def fix_tree(tree: ast.Module, changes: list[str]) -> ast.Module:
    """All the fixes, in order; each appends what it changed to ``changes``."""
    domain_typos(tree, changes)
    padded_keys(tree, changes)
    case_keys(tree, changes)
    binary_counts(tree, changes)
    early_aliases(tree, changes)
    sum_methods(tree, changes)
    unknown_variable_methods(tree, changes)
    split_joined_loops(tree, changes)
    add_keywords(tree, changes)
    repeated_constraint_names(tree, changes)
    scalars_used_with_keys(tree, changes)
    joined_relations(tree, changes)
    chained_relations(tree, changes)
    tree = join_chained_indexes(tree, changes)
    fix_data_keys(tree, changes)
    tree = sum_stray_loop_names(tree, changes)
    tree = UnrollAdds(changes).visit(tree)
    tree = SumOfOne(set(variable_names(tree)), changes).visit(tree)
    tree = SumOfMany(changes).visit(tree)
    one_domain(tree, changes)
    tree = math_on_variables(tree, changes)
    rename_reserved(tree, changes)
    rename_block_attributes(tree, changes)
    attach_free_components(tree, changes)
    key_lists_by_names(tree, changes)
    tree = ClearRatios(set(variable_names(tree)), nonnegative_variables(tree), changes).visit(tree)
    create_missing_model(tree, changes)
    constraint_lists(tree, changes)
    strict_inequalities(tree, changes)
    limit_times_each_term(tree, changes)
    constraints_indexed_by_a_variable(tree, changes)
    positional_expressions(tree, changes)
    bounds_on_variables(tree, changes)
    unindex_single_constraints(tree, changes)
    fix_undefined_names(tree, changes)
    return tree
