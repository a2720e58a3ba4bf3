package ledger.support.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies over the limit (§4.1: 64 KiB) with 400 {@code body_too_large}: up front when
 * {@code Content-Length} says so, and while reading when a chunked body keeps going.
 */
public final class BodySizeLimit extends OncePerRequestFilter {

    private final long maxBytes;
    private final ErrorResponses errors;

    public BodySizeLimit(long maxBytes, ErrorResponses errors) {
        this.maxBytes = maxBytes;
        this.errors = errors;
    }

    /** What to answer when reading a body failed: too large, or the client went away mid-body. */
    public static ApiException readFailure(IOException e) {
        return e instanceof TooLarge tooLarge ? tooLarge(tooLarge.maxBytes)
                : new ApiException(HttpStatus.BAD_REQUEST, "invalid_json", "Request body could not be read");
    }

    static ApiException tooLarge(long maxBytes) {
        return new ApiException(HttpStatus.BAD_REQUEST, "body_too_large",
                "Request body is larger than " + maxBytes + " bytes");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > maxBytes) {
            errors.write(request, response, tooLarge(maxBytes));
            return;
        }
        chain.doFilter(new Limited(request, maxBytes), response);
    }

    /** Thrown mid-read; {@link ApiExceptionHandler} finds it as the cause of the parse failure. */
    static final class TooLarge extends IOException {
        final long maxBytes;

        TooLarge(long maxBytes) {
            super("request body too large");
            this.maxBytes = maxBytes;
        }
    }

    private static final class Limited extends HttpServletRequestWrapper {
        private final long maxBytes;
        private ServletInputStream stream;

        Limited(HttpServletRequest request, long maxBytes) {
            super(request);
            this.maxBytes = maxBytes;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new Counting(super.getInputStream(), maxBytes);
            }
            return stream;
        }
    }

    private static final class Counting extends ServletInputStream {
        private final ServletInputStream in;
        private final long maxBytes;
        private long read;

        Counting(ServletInputStream in, long maxBytes) {
            this.in = in;
            this.maxBytes = maxBytes;
        }

        private int count(int n) throws TooLarge {
            if (n > 0 && (read += n) > maxBytes) {
                throw new TooLarge(maxBytes);
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return count(in.read(b, off, len));
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
