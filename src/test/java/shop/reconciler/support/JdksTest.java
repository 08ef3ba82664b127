package shop.reconciler.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What the start-up cache's test and the benchmark find to run: the JDK at hand first, then the others. */
class JdksTest {

    @Test
    void theTestJvmsJdkComesFirstWithItsVersionAndAJava() throws Exception {
        Jdks.Jdk current = Jdks.current();

        assertThat(current.feature()).isEqualTo(Runtime.version().feature());
        assertThat(Files.isExecutable(current.java())).isTrue();
        assertThat(current.home())
                .isEqualTo(Path.of(System.getProperty("java.home")).toRealPath());
        assertThat(Jdks.all()).isNotEmpty().doesNotHaveDuplicates();
    }

    @Test
    void atLeastGivesTheNewestJdkOfThatVersionOrLaterAndNothingAboveWhatExists() {
        int newest = Jdks.all().stream().mapToInt(Jdks.Jdk::feature).max().orElseThrow();

        assertThat(Jdks.atLeast(Runtime.version().feature()))
                .hasValueSatisfying(jdk -> assertThat(jdk.feature()).isEqualTo(newest));
        assertThat(Jdks.atLeast(newest + 1)).isEmpty();
        assertThat(Jdks.all())
                .allSatisfy(jdk -> assertThat(Files.isExecutable(jdk.java())).isTrue());
    }
}
