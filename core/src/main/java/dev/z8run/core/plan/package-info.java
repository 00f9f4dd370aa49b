/**
 * The planner: turns a validated {@link dev.z8run.core.flow.Flow} into an {@link
 * dev.z8run.core.plan.ExecutionPlan} of index arrays and worker assignments. Pure computation on
 * the control plane; touches no runtime state.
 */
package dev.z8run.core.plan;
