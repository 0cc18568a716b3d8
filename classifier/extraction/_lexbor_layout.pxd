# cython: language_level=3
# The memory layout of the Lexbor structs the compiled walker reads, declared by the project.
#
# No Lexbor header is needed to build: these mirror the structs of the Lexbor that selectolax
# bundles (`lxb_dom_node_t`, `lxb_dom_character_data_t`, `lxb_dom_element_t`, `lxb_dom_attr_t`,
# `lexbor_hash_entry_t` at the head of `lxb_tag_data_t` and `lxb_dom_attr_data_t`). A selectolax
# whose Lexbor lays them out otherwise is caught by the checks of `learn_layout` (`_layout.pxi`) and by
# the probe page walked both ways (`classifier.extraction.cwalk_check`): the plain walker is
# then used.

from libc.stdint cimport uintptr_t


cdef struct lb_str:
    unsigned char *data
    size_t length


cdef struct lb_node:
    void *events
    uintptr_t local_name  # the tag id (elements, text nodes) or attribute id
    uintptr_t prefix
    uintptr_t ns
    void *owner_document
    lb_node *next
    lb_node *prev
    lb_node *parent
    lb_node *first_child
    lb_node *last_child
    void *user
    int type  # lxb_dom_node_type_t


cdef struct lb_character_data:
    lb_node node
    lb_str data


cdef struct lb_attr:
    lb_node node
    uintptr_t upper_name
    uintptr_t qualified_name
    lb_str *value
    void *owner
    lb_attr *next
    lb_attr *prev


cdef struct lb_element:
    lb_node node
    uintptr_t upper_name
    uintptr_t qualified_name
    lb_str *is_value
    lb_attr *first_attr
    lb_attr *last_attr
    lb_attr *attr_id
    lb_attr *attr_class


cdef union lb_hash_key:
    unsigned char *long_str
    unsigned char short_str[17]  # LEXBOR_HASH_SHORT_SIZE + 1


cdef struct lb_hash_entry:  # the head of lxb_tag_data_t and lxb_dom_attr_data_t
    lb_hash_key u
    size_t length
    lb_hash_entry *next
