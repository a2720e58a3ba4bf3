package ledger.query.checkout;

import com.lowagie.text.Document;
import com.lowagie.text.DocumentException;
import com.lowagie.text.Element;
import com.lowagie.text.Font;
import com.lowagie.text.FontFactory;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.Phrase;
import com.lowagie.text.pdf.PdfPCell;
import com.lowagie.text.pdf.PdfPTable;
import com.lowagie.text.pdf.PdfWriter;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import ledger.events.InvoiceView;

/** The invoice and the receipt as PDF documents, with the same buyer-facing figures as the page. */
final class CheckoutPdfs {

    private static final Font TITLE = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 18);
    private static final Font LABEL = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 10);
    private static final Font TEXT = FontFactory.getFont(FontFactory.HELVETICA, 10);

    private CheckoutPdfs() {
    }

    /** Store, description, amounts, status and dates; then the lines, when the invoice has any. */
    static byte[] invoice(BuyerView view, InvoiceView invoice) {
        return document(view, view.livemode() ? "Invoice" : "Invoice (TEST)", List.of(
                row("Description", view.description() == null ? "" : view.description()),
                row("Invoice number", view.number() == null ? "—" : view.number()),
                row("Reference", view.reference()),
                row("Amount", money(view.amount(), view)),
                row("Credited", money(view.amountCredited(), view)),
                row("Paid", money(view.amountPaid(), view)),
                row("Refunded", money(view.amountRefunded(), view)),
                row("Amount due", money(view.amountDue(), view)),
                row("Status", view.status().wireName()),
                row("Issued", BuyerView.dateTime(invoice.createdAt())),
                row("Due date", view.dueDateText()),
                row("Expires", view.expiresAtText())), lines(invoice.lineItems(), view));
    }

    private static PdfPTable lines(List<InvoiceView.Line> lines, BuyerView view) {
        if (lines.isEmpty()) {
            return null;
        }
        var table = new PdfPTable(new float[] {5, 2, 3, 3, 3, 3});
        table.setWidthPercentage(100);
        table.addCell(cell("Item", LABEL, Element.ALIGN_LEFT));
        for (String heading : List.of("Qty", "Unit price", "Discount", "Tax", "Total")) {
            table.addCell(cell(heading, LABEL, Element.ALIGN_RIGHT));
        }
        for (InvoiceView.Line line : lines) {
            table.addCell(cell(line.description(), TEXT, Element.ALIGN_LEFT));
            for (String figure : List.of(line.quantity(), line.unitAmount(), line.amountDiscount(), line.amountTax(),
                    line.amountTotal())) {
                table.addCell(cell(figure, TEXT, Element.ALIGN_RIGHT));
            }
        }
        table.addCell(cell("Amount", LABEL, Element.ALIGN_LEFT));
        var total = cell(money(view.amount(), view), LABEL, Element.ALIGN_RIGHT);
        total.setColspan(5);
        table.addCell(total);
        return table;
    }

    /** The payments received, each with its date and amount, and what they add up to. */
    static byte[] receipt(BuyerView view, InvoiceView invoice) {
        var payments = new PdfPTable(new float[] {3, 2});
        payments.setWidthPercentage(100);
        payments.addCell(cell("Received", LABEL, Element.ALIGN_LEFT));
        payments.addCell(cell("Amount", LABEL, Element.ALIGN_RIGHT));
        for (InvoiceView.Payment p : invoice.payments()) {
            Instant at = p.receivedAt() != null ? p.receivedAt() : p.createdAt();
            payments.addCell(cell(BuyerView.dateTime(at), TEXT, Element.ALIGN_LEFT));
            payments.addCell(cell(money(p.amount(), view), TEXT, Element.ALIGN_RIGHT));
        }
        payments.addCell(cell("Total paid", LABEL, Element.ALIGN_LEFT));
        payments.addCell(cell(money(view.amountPaid(), view), LABEL, Element.ALIGN_RIGHT));
        return document(view, view.livemode() ? "Receipt" : "Receipt (TEST)", List.of(
                row("Description", view.description() == null ? "" : view.description()),
                row("Reference", view.reference()),
                row("Invoice amount", money(view.amount(), view)),
                row("Credited", money(view.amountCredited(), view)),
                row("Refunded", money(view.amountRefunded(), view)),
                row("Amount due", money(view.amountDue(), view)),
                row("Status", view.status().wireName())), payments);
    }

    private static byte[] document(BuyerView view, String title, List<String[]> facts, PdfPTable extra) {
        var out = new ByteArrayOutputStream();
        var document = new Document(PageSize.A4, 56, 56, 56, 56);
        try {
            PdfWriter.getInstance(document, out);
            document.addTitle(title);
            document.open();
            document.add(new Paragraph(view.storeName() == null ? "" : view.storeName(), LABEL));
            var heading = new Paragraph(title, TITLE);
            heading.setSpacingAfter(12);
            document.add(heading);
            var table = new PdfPTable(new float[] {2, 3});
            table.setWidthPercentage(100);
            for (String[] fact : facts) {
                table.addCell(cell(fact[0], LABEL, Element.ALIGN_LEFT));
                table.addCell(cell(fact[1], TEXT, Element.ALIGN_LEFT));
            }
            table.setSpacingAfter(16);
            document.add(table);
            if (extra != null) {
                document.add(extra);
            }
        } catch (DocumentException e) {
            throw new IllegalStateException("PDF could not be written", e);
        } finally {
            document.close();
        }
        return out.toByteArray();
    }

    private static String[] row(String label, String value) {
        return new String[] {label, value};
    }

    private static String money(String amount, BuyerView view) {
        return amount + " " + view.currency();
    }

    private static PdfPCell cell(String text, Font font, int alignment) {
        var cell = new PdfPCell(new Phrase(text, font));
        cell.setBorder(PdfPCell.BOTTOM);
        cell.setPadding(5);
        cell.setHorizontalAlignment(alignment);
        return cell;
    }
}
