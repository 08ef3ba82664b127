package shop.reconciler.operations;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;

class ExecutionActionTest {

    @Test
    void offersWhatTheCommandsAcceptForEachState() {
        // given: what restart, stop and abandon accept in each state, the lease held by a live run
        Map<BatchStatus, Set<ExecutionAction>> whileLeaseHeld = Map.of(
                BatchStatus.COMPLETED, Set.of(),
                BatchStatus.ABANDONED, Set.of(),
                BatchStatus.FAILED, Set.of(ExecutionAction.RESTART, ExecutionAction.ABANDON),
                BatchStatus.STOPPED, Set.of(ExecutionAction.RESTART, ExecutionAction.ABANDON),
                BatchStatus.UNKNOWN, Set.of(ExecutionAction.RESTART, ExecutionAction.ABANDON),
                BatchStatus.STARTING, Set.of(ExecutionAction.STOP),
                BatchStatus.STARTED, Set.of(ExecutionAction.STOP),
                BatchStatus.STOPPING, Set.of(ExecutionAction.ABANDON));

        whileLeaseHeld.forEach((status, expected) -> {
            // when
            Set<ExecutionAction> allowed = EnumSet.noneOf(ExecutionAction.class);
            for (ExecutionAction action : ExecutionAction.values()) {
                if (action.allows(status, false)) {
                    allowed.add(action);
                }
            }

            // then
            assertThat(allowed).describedAs("%s, lease held", status).isEqualTo(expected);
        });
    }

    @Test
    void restartsARunningExecutionOnlyWhenNoProcessHoldsTheLease() {
        for (BatchStatus running : EnumSet.of(BatchStatus.STARTING, BatchStatus.STARTED, BatchStatus.STOPPING)) {
            assertThat(ExecutionAction.RESTART.allows(running, false))
                    .describedAs("%s, lease held", running)
                    .isFalse();
            assertThat(ExecutionAction.RESTART.allows(running, true))
                    .describedAs("%s, lease free: its process died", running)
                    .isTrue();
        }
        assertThat(ExecutionAction.RESTART.allows(BatchStatus.COMPLETED, true)).isFalse();
    }
}
