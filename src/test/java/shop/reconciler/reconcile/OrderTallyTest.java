package shop.reconciler.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OrderTallyTest {

    @Test
    void finishedOnlyWithTasksAllTerminalAndAnomalyOnlyWithoutTasks() {
        // given: taskCount, openTaskCount, finished, anomaly
        Object[][] table = {
            {0L, 0L, false, true},
            {1L, 0L, true, false},
            {3L, 0L, true, false},
            {1L, 1L, false, false},
            {3L, 1L, false, false},
            {3L, 3L, false, false},
        };

        for (Object[] row : table) {
            long tasks = (long) row[0];
            long open = (long) row[1];
            OrderTally tally = new OrderTally(1L, "DH123456", tasks, open);

            // when
            boolean finished = tally.isFinished();
            boolean anomaly = tally.isAnomaly();

            // then
            assertThat(finished)
                    .describedAs("isFinished with %d tasks, %d open", tasks, open)
                    .isEqualTo(row[2]);
            assertThat(anomaly)
                    .describedAs("isAnomaly with %d tasks, %d open", tasks, open)
                    .isEqualTo(row[3]);
        }
    }

    @Test
    void orderIsNeverBothFinishedAndAnomaly() {
        for (long tasks = 0; tasks <= 4; tasks++) {
            for (long open = 0; open <= tasks; open++) {
                // given
                OrderTally tally = new OrderTally(1L, "DH1", tasks, open);

                // when / then
                assertThat(tally.isFinished() && tally.isAnomaly())
                        .describedAs("finished and anomaly with %d tasks, %d open", tasks, open)
                        .isFalse();
            }
        }
    }
}
