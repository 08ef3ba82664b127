package shop.reconciler.operations;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

class LaunchTest {

    @Test
    void keepsTheIdentifyingRunIdAndReplacesTheFirstLaunchOfARestart() {
        // given: the parameters of an execution launched by cron on another node
        JobParameters first = new JobParametersBuilder()
                .addLong("run.id", 7L)
                .addString(Launch.TRIGGER, "cron", false)
                .addString(Launch.NODE, "1@other", false)
                .addString(Launch.USER, "reconciler", false)
                .toJobParameters();

        // when
        JobParameters restart = Launch.console("operator ü").onto(first, "42@here");

        // then
        assertThat(restart.getIdentifyingParameters())
                .containsExactly(new JobParameter<>("run.id", 7L, Long.class, true));
        assertThat(restart.getString(Launch.TRIGGER)).isEqualTo("console");
        assertThat(restart.getString(Launch.NODE)).isEqualTo("42@here");
        assertThat(restart.getString(Launch.USER)).isEqualTo("operator ü");
        assertThat(restart.parameters()).hasSize(4);
        assertThat(restart.getParameter(Launch.TRIGGER).identifying()).isFalse();
    }

    @Test
    void aCommandRecordsTheOsUser() {
        assertThat(Launch.by(Launch.Trigger.CRON))
                .isEqualTo(new Launch(Launch.Trigger.CRON, System.getProperty("user.name")));
        assertThat(Launch.Trigger.CRON.value()).isEqualTo("cron");
    }
}
