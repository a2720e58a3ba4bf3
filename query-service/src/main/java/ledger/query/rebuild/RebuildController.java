package ledger.query.rebuild;

import java.net.URI;
import ledger.support.web.ApiException;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Admin API of the invoice projection's rebuilds (admin token, enforced for {@code /admin/**} by the
 * shared Authentication filter). {@code ./ledger replay} starts one and polls its progress.
 */
@RestController
class RebuildController {

    static final String BASE = "/admin/v1/projections/invoices/rebuild";

    private final ProjectionRebuilder rebuilder;

    RebuildController(ProjectionRebuilder rebuilder) {
        this.rebuilder = rebuilder;
    }

    /** @param maxEventsPerSecond optional pace, to spare a busy database */
    record RebuildRequest(Integer maxEventsPerSecond) {
    }

    @PostMapping(BASE)
    ResponseEntity<RebuildStatus> start(@RequestBody(required = false) RebuildRequest request) {
        var status = rebuilder.start(request == null ? null : request.maxEventsPerSecond());
        return ResponseEntity.accepted().location(URI.create(BASE + "/" + status.id())).body(status);
    }

    /** The latest rebuild (running or finished). */
    @GetMapping(BASE)
    RebuildStatus latest() {
        return rebuilder.latest().orElseThrow(() -> ApiException.notFound("rebuild: none has run yet"));
    }

    @GetMapping(BASE + "/{id}")
    RebuildStatus get(@PathVariable String id) {
        return rebuilder.status(id).orElseThrow(() -> ApiException.notFound("rebuild: " + id));
    }

    /** Changes a running rebuild's pace ({@code {"max_events_per_second": null}} lifts the limit). */
    @PatchMapping(BASE + "/{id}")
    RebuildStatus pace(@PathVariable String id, @RequestBody RebuildRequest request) {
        return rebuilder.pace(id, request.maxEventsPerSecond())
                .orElseThrow(() -> ApiException.notFound("rebuild: " + id));
    }

    @DeleteMapping(BASE + "/{id}")
    RebuildStatus cancel(@PathVariable String id) {
        return rebuilder.cancel(id).orElseThrow(() -> ApiException.notFound("rebuild: " + id));
    }
}
