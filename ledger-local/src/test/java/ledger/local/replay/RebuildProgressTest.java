package ledger.local.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RebuildProgressTest {

    private static RebuildProgress parse(String json) throws Exception {
        return RebuildProgress.parse(new ObjectMapper().readTree(json));
    }

    @Test
    void parsesTheAdminApiAnswer() throws Exception {
        RebuildProgress p = parse("""
                {"id":"rb_1","object":"projection_rebuild","state":"running","phase":"replaying",
                 "total_events":1000000,"processed_events":450000,"percent":45.0,"events_per_second":10000,
                 "elapsed_ms":45000,"max_events_per_second":null,"error":null}""");
        assertThat(p.id()).isEqualTo("rb_1");
        assertThat(p.totalEvents()).isEqualTo(1_000_000L);
        assertThat(p.processedEvents()).isEqualTo(450_000L);
        assertThat(p.percent()).isEqualTo(45.0);
        assertThat(p.eventsPerSecond()).isEqualTo(10_000L);
        assertThat(p.error()).isNull();
        assertThat(p.finished()).isFalse();
        assertThat(p.etaSeconds()).isEqualTo(55);
    }

    @Test
    void drawsTheBarWithPercentRateAndEta() throws Exception {
        RebuildProgress p = parse("""
                {"id":"rb_1","state":"running","phase":"replaying","total_events":1000000,
                 "processed_events":450000,"percent":45.0,"events_per_second":10000}""");
        assertThat(p.bar(20)).isEqualTo("[#########...........]  45.0%  10,000 ev/s  ETA 0:55  replaying");
    }

    @Test
    void unknownTotalOrNoRateYetHasNoEta() throws Exception {
        RebuildProgress p = parse("""
                {"id":"rb_1","state":"running","phase":"replaying","total_events":null,"processed_events":0,
                 "percent":0.0,"events_per_second":0}""");
        assertThat(p.totalEvents()).isNull();
        assertThat(p.etaSeconds()).isEqualTo(-1);
        assertThat(p.bar(10)).isEqualTo("[..........]   0.0%  0 ev/s  ETA --:--  replaying");
    }

    @Test
    void completedFillsTheBarAndFailedIsFinishedButNotCompleted() throws Exception {
        RebuildProgress done = parse("""
                {"id":"rb_1","state":"completed","phase":"done","total_events":10,"processed_events":10,
                 "percent":100.0,"events_per_second":5}""");
        assertThat(done.finished()).isTrue();
        assertThat(done.completed()).isTrue();
        assertThat(done.bar(4)).startsWith("[####] 100.0%");
        RebuildProgress failed = parse("""
                {"id":"rb_2","state":"failed","phase":"replaying","percent":12.5,"error":"boom"}""");
        assertThat(failed.finished()).isTrue();
        assertThat(failed.completed()).isFalse();
        assertThat(failed.error()).isEqualTo("boom");
        RebuildProgress stalled = parse("{\"id\":\"rb_3\",\"state\":\"stalled\",\"phase\":\"replaying\"}");
        assertThat(stalled.finished()).isFalse();
    }

    @Test
    void longEtasShowHours() {
        assertThat(RebuildProgress.eta(3725)).isEqualTo("1:02:05");
        assertThat(RebuildProgress.eta(59)).isEqualTo("0:59");
    }
}
