"""The app's pages, one module each with its layout and its callbacks: the agenda (`/`), a
case (`/case/<case_id>`) with its board decisions and report downloads, its presentation
(`/case/<case_id>/present`) and adding a case (`/add`). Each module's `register` adds its
page and callbacks to the app; the layouts themselves are pure functions in layouts/."""
