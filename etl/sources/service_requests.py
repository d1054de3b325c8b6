"""Customer Service Requests (5ngg-rpne). No real export was available: built from the portal's
published API field names and the matching CSV display headers.

Vintages: `api` (servicerequestnumber, webintakeservicerequests, departmentname, createddate,
methodreceivedname, servicerequeststatusname, location, latitude, longitude, zipcode,
councildistrict, policeprecinct, community_reporting_area) and `csv` (Service Request Number,
Web Intake Service Requests, Department Name, Created Date, ...). Natural key: service request
number; event_time: created date; category: the web intake request type.
"""
import datetime as dt

from .base import Adapter, Vintage

ADAPTER = Adapter(
    name="service_requests",
    title="Customer Service Requests",
    fields={
        "servicerequestnumber": ("service_request_number",),
        "webintakeservicerequests": ("web_intake_service_requests",),
        "departmentname": ("department_name",),
        "createddate": ("created_date",),
        "methodreceivedname": ("method_received_name",),
        "servicerequeststatusname": ("service_request_status_name",),
        "location": (),
        "latitude": ("geometry_latitude",), "longitude": ("geometry_longitude",),
        "zipcode": ("zip_code",),
        "councildistrict": ("council_district",),
        "policeprecinct": ("police_precinct",),
        "community_reporting_area": (),
    },
    vintages=(
        Vintage("api", ("servicerequestnumber", "webintakeservicerequests", "createddate"),
                columns=("servicerequestnumber", "webintakeservicerequests", "departmentname", "createddate",
                         "methodreceivedname", "servicerequeststatusname", "location", "latitude", "longitude",
                         "zipcode", "councildistrict", "policeprecinct", "community_reporting_area")),
        Vintage("csv", ("service_request_number", "web_intake_service_requests", "created_date"),
                columns=("Service Request Number", "Web Intake Service Requests", "Department Name",
                         "Created Date", "Method Received Name", "Service Request Status Name", "Location",
                         "Latitude", "Longitude", "ZIP Code", "Council District", "Police Precinct",
                         "Community Reporting Area")),
    ),
    key="s.servicerequestnumber",
    key_fields=("servicerequestnumber",),
    time="created_at",
    time_fields=("createddate",),
    category="s.webintakeservicerequests",
    start=dt.date(2010, 1, 1),
    precinct="s.policeprecinct",
    lat="coalesce(num(s.latitude), pair_lat(s.location), wkt_lat(s.location))",
    lon="coalesce(num(s.longitude), pair_lon(s.location), wkt_lon(s.location))",
    columns=(
        ("service_request_number", "VARCHAR", "s.servicerequestnumber"),
        ("request_type", "VARCHAR", "s.webintakeservicerequests"),
        ("department", "VARCHAR", "s.departmentname"),
        ("created_at", "TIMESTAMP", "ts(s.createddate)"),
        ("method_received", "VARCHAR", "s.methodreceivedname"),
        ("status", "VARCHAR", "s.servicerequeststatusname"),
        ("location", "VARCHAR", "s.location"),
        ("zip_code", "VARCHAR", "s.zipcode"),
        ("council_district", "VARCHAR", "s.councildistrict"),
        ("community_reporting_area", "VARCHAR", "upper(s.community_reporting_area)"),
    ),
    natural_key_doc="service request number",
)
