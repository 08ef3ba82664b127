package shop.reconciler.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DatabaseClockTest {

    private static final ZoneOffset CURRENT = ZoneOffset.ofHours(2);

    @Test
    void readsTheSessionsZoneAsOffsetNameOrTheServersSystemZone() {
        assertThat(DatabaseClock.zoneOf("-03:00", "UTC", CURRENT)).isEqualTo(ZoneOffset.ofHours(-3));
        assertThat(DatabaseClock.zoneOf("Europe/Berlin", "UTC", CURRENT)).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(DatabaseClock.zoneOf("SYSTEM", "UTC", CURRENT)).isEqualTo(ZoneOffset.UTC);
        assertThat(DatabaseClock.zoneOf("SYSTEM", "CET", CURRENT)).isEqualTo(ZoneId.of("CET"));
    }

    @Test
    void aZoneJavaDoesNotKnowIsReadAtTheDatabasesCurrentOffset() {
        assertThat(DatabaseClock.zoneOf("SYSTEM", "CEST", CURRENT)).isEqualTo(CURRENT);
        assertThat(DatabaseClock.zoneOf("SYSTEM", "", CURRENT)).isEqualTo(CURRENT);
    }
}
