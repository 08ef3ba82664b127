package shop.reconciler.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ResultRecorderTest {

    @Test
    void recordsRunInTheOrderTheyWereQueuedAndTheGatePassesOnceAllHaveRun() throws Exception {
        // given
        List<Integer> recorded = new CopyOnWriteArrayList<>();
        try (ResultRecorder recorder = new ResultRecorder()) {
            // when
            for (int i = 1; i <= 50; i++) {
                int n = i;
                recorder.record(() -> recorded.add(n));
            }
            recorder.gate().await();

            // then
            assertThat(recorded).hasSize(50).isSorted();
            assertThat(recorder.finish()).isNull();
        }
    }

    @Test
    void theGateHoldsTheNextDeliveryUntilThePreviousRecordIsDone() throws Exception {
        // given: a record that is still being committed
        CountDownLatch commit = new CountDownLatch(1);
        AtomicBoolean committed = new AtomicBoolean();
        try (ResultRecorder recorder = new ResultRecorder()) {
            recorder.record(() -> {
                await(commit);
                committed.set(true);
            });
            HandOverGate gate = recorder.gate();
            CountDownLatch passed = new CountDownLatch(1);
            Thread delivery = new Thread(() -> {
                if (gate.await() == null) {
                    passed.countDown();
                }
            });

            // when
            delivery.start();

            // then: the delivery waits while the record runs, and goes on once it is committed
            assertThat(passed.await(300, TimeUnit.MILLISECONDS)).isFalse();
            commit.countDown();
            assertThat(passed.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(committed).isTrue();
        }
    }

    @Test
    void aStatementThatAnswersNoHoldsBackTheNextDeliveryOnly() {
        // given: the statement that charged the next attempt found its claim gone
        try (ResultRecorder recorder = new ResultRecorder()) {
            recorder.recordGating(() -> "claim lost");

            // when
            String first = recorder.gate().await();
            recorder.record(() -> {});
            String second = recorder.gate().await();

            // then
            assertThat(first).isEqualTo("claim lost");
            assertThat(second).isNull();
            assertThat(recorder.finish()).isNull();
        }
    }

    @Test
    void aFailedRecordStopsTheOnesAfterItAndTheGateRefusesWithItsCause() {
        // given
        List<String> recorded = new CopyOnWriteArrayList<>();
        IllegalStateException refused = new IllegalStateException("no space left for R-04");
        ResultRecorder recorder = new ResultRecorder();
        recorder.record(() -> recorded.add("R-03"));
        recorder.record(() -> {
            throw refused;
        });
        recorder.record(() -> recorded.add("R-05"));

        // when / then
        assertThat(recorder.gate().await())
                .describedAs("the gate's refusal")
                .isNotNull()
                .contains("no space left for R-04");
        assertThat(recorder.finish()).isSameAs(refused);
        assertThat(recorder.failure()).isSameAs(refused);
        assertThat(recorded).containsExactly("R-03");
        assertThatThrownBy(recorder::awaitRecorded).isSameAs(refused);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
