package shop.reconciler.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ProcessingOrderReaderTest {

    @Test
    void aDensePageIsTalliedInOneRangeOfTheTasksIndex() {
        // given: 2,000 processing orders among 2,400 ids (a first run over a backlog)
        List<Long> ids = LongStream.rangeClosed(1001, 3400)
                .filter(id -> id % 6 != 0)
                .boxed()
                .toList();

        // when
        String tasks = ProcessingOrderReader.tasksOfPage(ids);

        // then
        assertThat(tasks).isEqualTo("t.order_id BETWEEN 1001 AND 3400");
    }

    @Test
    void aSparsePageIsTalliedByItsIds() {
        // given: 200 processing orders among 2,000 ids (a later run: a few open orders among completed ones)
        List<Long> ids =
                LongStream.range(0, 200).map(i -> 5000 + i * 10).boxed().toList();

        // when
        String tasks = ProcessingOrderReader.tasksOfPage(ids);

        // then
        assertThat(tasks).isEqualTo("t.order_id IN ({{ids}})");
    }

    @Test
    void aSmallPageIsTalliedByItsIds() {
        // when
        String tasks = ProcessingOrderReader.tasksOfPage(List.of(7L, 8L, 9L));

        // then
        assertThat(tasks).isEqualTo("t.order_id IN ({{ids}})");
    }
}
