"""What only the web layer needs beside the views: sessions and security headers, the page cache, forms, the OpenAPI document, charts and tabular files."""
